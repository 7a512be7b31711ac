//go:build js && wasm

package dom

import (
	"sync"

	"github.com/hack-pad/safejs"
)

// Listener is a set of event listeners added to one EventTarget with
// addEventListener
// (https://developer.mozilla.org/en-US/docs/Web/API/EventTarget/addEventListener).
// Stop removes and releases them all; it is idempotent and may run inside
// one of the handlers.
type Listener struct {
	target safejs.Value
	names  []string
	fns    []safejs.Func
	once   sync.Once
}

// Listen calls handle(name, event) for each of the named events on target.
// handle runs inside a JavaScript event handler: it must not block. A panic
// in it is recovered and dropped.
func Listen(target safejs.Value, handle func(name string, ev safejs.Value), names ...string) (*Listener, error) {
	l := &Listener{target: target}
	for _, name := range names {
		fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			defer func() { _ = recover() }()
			var ev safejs.Value
			if len(args) > 0 {
				ev = args[0]
			}
			handle(name, ev)
			return nil
		})
		if err != nil {
			l.Stop()
			return nil, err
		}
		if _, err := target.Call("addEventListener", name, fn); err != nil {
			fn.Release()
			l.Stop()
			return nil, err
		}
		l.names = append(l.names, name)
		l.fns = append(l.fns, fn)
	}
	return l, nil
}

// Stop removes and releases the listeners (see Listener).
func (l *Listener) Stop() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		for i, fn := range l.fns {
			_, _ = l.target.Call("removeEventListener", l.names[i], fn)
			fn.Release()
		}
	})
}

// Send is a Listen handler that forwards event names to ch without
// blocking; ch must have room for every event that can fire.
func Send(ch chan<- string) func(string, safejs.Value) {
	return func(name string, _ safejs.Value) {
		select {
		case ch <- name:
		default:
		}
	}
}
