//go:build js && wasm

package browser

import (
	"github.com/exponea-wasm/tracker/internal/sdk"
	"github.com/exponea-wasm/tracker/internal/tracker"
	"github.com/hack-pad/safejs"
)

// ConsoleWarn writes a warning to the console (MDN: console/warn).
func ConsoleWarn(msg string) { console("warn", msg) }

// ConsoleError writes an error to the console (MDN: console/error).
func ConsoleError(msg string) { console("error", msg) }

// ConsoleLog writes a message to the console (MDN: console/log).
func ConsoleLog(msg string) { console("log", msg) }

func console(level, msg string) {
	c, err := safejs.Global().Get("console")
	if err == nil {
		_, _ = c.Call(level, "[exponea] "+msg)
	}
}

// ReadDevice reads what the navigator tells about the browser (MDN:
// Navigator/userAgent, Navigator/language); it works in a Worker too. The
// screen is the loader's to report.
func ReadDevice() tracker.Device {
	var d tracker.Device
	if nav, err := safejs.Global().Get("navigator"); err == nil && nav.Type() == safejs.TypeObject {
		d.UserAgent = getString(nav, "userAgent")
		d.Language = getString(nav, "language")
	}
	return d
}

// WasmMemory returns the size of the module's linear memory in bytes, as
// the loader reports it (js/src/load.js), or 0.
func WasmMemory() int {
	fn, err := safejs.Global().Get("__exponeaMemory")
	if err != nil || fn.Type() != safejs.TypeFunction {
		return 0
	}
	v, err := fn.Invoke()
	if err != nil {
		return 0
	}
	n, _ := v.Int()
	return n
}

// Online reports navigator.onLine (MDN: Navigator/onLine); true when the
// browser does not say.
func Online() bool {
	nav, err := safejs.Global().Get("navigator")
	if err != nil || nav.Type() != safejs.TypeObject {
		return true
	}
	v, err := nav.Get("onLine")
	if err != nil || v.Type() != safejs.TypeBoolean {
		return true
	}
	b, _ := v.Bool()
	return b
}

func getString(v safejs.Value, prop string) string {
	p, err := v.Get(prop)
	if err != nil || p.Type() != safejs.TypeString {
		return ""
	}
	s, _ := p.String()
	return s
}

// Listen adds an event listener (MDN: EventTarget/addEventListener) on the
// global object's property target ("window" is the global itself — a
// Worker's too —, else e.g. "document"). fn runs inside the event: it must not wait for anything.
// Panics in fn are recovered and logged. The returned func removes it.
func Listen(target, event string, fn func()) (remove func(), err error) {
	t := safejs.Global()
	if target != "window" {
		if t, err = t.Get(target); err != nil {
			return nil, err
		}
		if t.Type() != safejs.TypeObject {
			return nil, ErrUnavailable
		}
	}
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				ConsoleError(event + " handler failed")
			}
		}()
		fn()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := t.Call("addEventListener", event, f.Value()); err != nil {
		f.Release()
		return nil, err
	}
	return func() {
		_, _ = t.Call("removeEventListener", event, f.Value())
		f.Release()
	}, nil
}

// PageState reads what the SDK needs to know of the page: its URL and
// referrer (MDN: Location/href, Document/referrer), whether it is visible
// (Document/visibilityState), the network state and the screen. In a
// Worker, which has no document, it is not visible.
func PageState() sdk.PageState {
	g := safejs.Global()
	p := sdk.PageState{Online: Online()}
	if loc, err := g.Get("location"); err == nil && loc.Type() == safejs.TypeObject {
		p.URL = getString(loc, "href")
	}
	if doc, err := g.Get("document"); err == nil && doc.Type() == safejs.TypeObject {
		p.Referrer = getString(doc, "referrer")
		p.Visible = getString(doc, "visibilityState") != "hidden"
	}
	if scr, err := g.Get("screen"); err == nil && scr.Type() == safejs.TypeObject {
		p.ScreenWidth, _ = getInt(scr, "width")
		p.ScreenHeight, _ = getInt(scr, "height")
	}
	return p
}

// WatchPage calls changed with the page's state whenever it is shown or
// hidden, or goes online or offline. changed runs inside the event: it
// must not wait.
func WatchPage(changed func(sdk.PageState)) error {
	report := func() { changed(PageState()) }
	for _, l := range [...]struct{ target, event string }{
		{"document", "visibilitychange"}, {"window", "pageshow"}, {"window", "pagehide"}, {"window", "online"}, {"window", "offline"},
	} {
		if _, err := Listen(l.target, l.event, report); err != nil && l.target != "document" {
			return err
		}
	}
	return nil
}
