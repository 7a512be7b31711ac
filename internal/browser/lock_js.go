//go:build js && wasm

package browser

import (
	"errors"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
)

// WithLock runs fn while this page holds the Web Lock name (MDN:
// LockManager.request), waiting for it if another tab of the origin holds
// it. The lock is held until fn returns; if the tab dies first, the browser
// releases it. ok is false, and fn is not run, when the Web Locks API is
// missing (an old browser, or a page that is not a secure context): the
// caller decides what to do without mutual exclusion. fn runs on the
// calling goroutine, not inside a JS callback, so it may wait.
func WithLock(ctx ctxlite.Context, name string, fn func()) (ok bool, err error) {
	locks, err := lockManager()
	if err != nil {
		return false, nil
	}
	granted := make(chan safejs.Value, 1) // the release function of the lock's Promise
	var onGrant safejs.Func
	onGrant, err = safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		// Hold the lock until Go resolves the Promise returned here.
		var release safejs.Value
		exec, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			release = arg0(args)
			return nil
		})
		if err != nil {
			return nil
		}
		defer exec.Release()
		p, err := newObject(safejs.Global(), "Promise", exec.Value())
		if err != nil {
			return nil
		}
		granted <- release
		return p
	})
	if err != nil {
		return false, err
	}
	defer onGrant.Release()
	ctl, err := newObject(safejs.Global(), "AbortController")
	if err != nil {
		return false, err
	}
	signal, _ := ctl.Get("signal")
	opts, err := safejs.ValueOf(map[string]any{})
	if err != nil {
		return false, err
	}
	_ = opts.Set("signal", signal)
	req, err := locks.Call("request", name, opts, onGrant.Value())
	if err != nil {
		return false, err
	}
	refused := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				refused <- errLockPanic
			}
		}()
		// The request's Promise settles when the lock is released, or
		// rejects if the request is aborted before it is granted.
		if _, err := Await(ctxlite.Background(), req); err != nil {
			refused <- err
		}
	}()
	var release safejs.Value
	select {
	case release = <-granted:
	case err := <-refused:
		return true, err
	case <-ctx.Done():
		_, _ = ctl.Call("abort")
		select { // granted in the meantime: let it go at once
		case release = <-granted:
			_, _ = release.Invoke()
		case <-refused:
		}
		return true, ctx.Err()
	}
	defer func() { _, _ = release.Invoke() }()
	fn()
	return true, nil
}

var errLockPanic = errors.New("browser: waiting for a Web Lock panicked")

func lockManager() (safejs.Value, error) {
	nav, err := safejs.Global().Get("navigator")
	if err != nil || nav.Type() != safejs.TypeObject {
		return safejs.Undefined(), ErrUnavailable
	}
	locks, err := nav.Get("locks")
	if err != nil || locks.Type() != safejs.TypeObject {
		return safejs.Undefined(), ErrUnavailable
	}
	return locks, nil
}
