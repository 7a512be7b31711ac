//go:build js && wasm

package browser

import (
	"github.com/hack-pad/safejs"
)

// Channel is a BroadcastChannel (MDN: BroadcastChannel) carrying short
// strings between the SDKs of an origin's runtimes (internal/sdk's
// tabmsg.go has what they say).
type Channel struct {
	ch safejs.Value
	fn safejs.Func
}

// NewChannel joins the channel name; onMessage runs with each message's
// data (a string; "" for anything else) inside the message event, and
// must not wait for anything. A browser without BroadcastChannel gives a
// Channel whose Post does nothing.
func NewChannel(name string, onMessage func(msg string)) *Channel {
	c := &Channel{}
	ch, err := newObject(safejs.Global(), "BroadcastChannel", name)
	if err != nil {
		return c
	}
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				ConsoleError("BroadcastChannel handler failed")
			}
		}()
		msg := ""
		if len(args) > 0 {
			if d, err := args[0].Get("data"); err == nil && d.Type() == safejs.TypeString {
				msg, _ = d.String()
			}
		}
		onMessage(msg)
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

// Post sends msg to the channel's other members.
func (c *Channel) Post(msg string) {
	if c.fn.Value().Type() == safejs.TypeFunction {
		_, _ = c.ch.Call("postMessage", msg)
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
