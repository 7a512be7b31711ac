//go:build js && wasm

package browser

import (
	"github.com/hack-pad/safejs"
)

// Channel is a BroadcastChannel (MDN: BroadcastChannel) carrying a bare
// "something changed" signal between the tabs of an origin. The receiver
// rereads shared state itself, so messages need no content.
type Channel struct {
	ch safejs.Value
	fn safejs.Func
}

// NewChannel joins the channel name; onMessage runs inside the message
// event and must not wait for anything. A browser without BroadcastChannel
// gives a Channel whose Post does nothing.
func NewChannel(name string, onMessage func()) *Channel {
	c := &Channel{}
	ch, err := newObject(safejs.Global(), "BroadcastChannel", name)
	if err != nil {
		return c
	}
	fn, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				ConsoleError("BroadcastChannel handler failed")
			}
		}()
		onMessage()
		return nil
	})
	if err != nil {
		return c
	}
	if _, err := ch.Call("addEventListener", "message", fn.Value()); err != nil {
		fn.Release()
		return c
	}
	c.ch, c.fn = ch, fn
	return c
}

// Post tells the other tabs.
func (c *Channel) Post() {
	if c.fn.Value().Type() == safejs.TypeFunction {
		_, _ = c.ch.Call("postMessage", "changed")
	}
}

// Close leaves the channel: no message comes to onMessage any more.
func (c *Channel) Close() {
	if c.fn.Value().Type() != safejs.TypeFunction {
		return
	}
	_, _ = c.ch.Call("removeEventListener", "message", c.fn.Value())
	_, _ = c.ch.Call("close")
	c.fn.Release()
	c.ch, c.fn = safejs.Null(), safejs.Func{}
}
