//go:build js && wasm

package browser

import (
	"errors"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
)

// Await waits for a JavaScript Promise (MDN: Promise.prototype.then) to
// settle. A rejection becomes an error carrying the reason's message. The
// callbacks release themselves when the promise settles, so if ctx ends
// first they stay until then (and a promise that never settles keeps two
// small functions alive) rather than being called after release.
func Await(ctx ctxlite.Context, promise safejs.Value) (safejs.Value, error) {
	type settled struct {
		v   safejs.Value
		err error
	}
	ch := make(chan settled, 1)
	var onOK, onErr safejs.Func
	release := func() { onOK.Release(); onErr.Release() }
	var err error
	onOK, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{v: arg0(args)}
		release()
		return nil
	})
	if err != nil {
		return safejs.Undefined(), err
	}
	onErr, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		ch <- settled{err: JSError(arg0(args))}
		release()
		return nil
	})
	if err != nil {
		onOK.Release()
		return safejs.Undefined(), err
	}
	if _, err := promise.Call("then", onOK.Value(), onErr.Value()); err != nil {
		release()
		return safejs.Undefined(), err
	}
	select {
	case s := <-ch:
		return s.v, s.err
	case <-ctx.Done():
		return safejs.Undefined(), ctx.Err()
	}
}

func arg0(args []safejs.Value) safejs.Value {
	if len(args) == 0 {
		return safejs.Undefined()
	}
	return args[0]
}

// Error is a JavaScript exception or rejection reason seen from Go.
type Error struct {
	Name    string // e.g. "TypeError", "QuotaExceededError", "AbortError"
	Message string
}

func (e *Error) Error() string {
	if e.Name == "" {
		return "browser: " + e.Message
	}
	return "browser: " + e.Name + ": " + e.Message
}

// JSError converts a rejection reason to an *Error.
func JSError(v safejs.Value) error {
	e := &Error{Message: "unknown error"}
	if v.Type() == safejs.TypeObject {
		if n, err := v.Get("name"); err == nil && n.Type() == safejs.TypeString {
			e.Name, _ = n.String()
		}
		if m, err := v.Get("message"); err == nil && m.Type() == safejs.TypeString {
			e.Message, _ = m.String()
		}
		return e
	}
	if s, err := v.String(); err == nil {
		e.Message = s
	}
	return e
}

// ErrUnavailable is returned when a browser API the SDK needs is missing.
var ErrUnavailable = errors.New("browser: API not available")
