//go:build js && wasm

package main

import (
	"github.com/google/uuid"
	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/bridge"
	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/jsbytes"
	"github.com/exponea-wasm/tracker/internal/sdk"
)

func main() {
	// Record ids and cookies are UUID v4 from crypto.getRandomValues; the
	// pool takes 16 ids' worth of randomness per call into the browser.
	uuid.EnableRandPool()
	if err := boot(); err != nil {
		browser.ConsoleError("could not start: " + err.Error())
		return
	}
	select {}
}

// boot starts the SDK and completes the handshake with the loader.
func boot() error {
	var out loader
	s := sdk.New(browser.Platform(&out))
	apply, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				browser.ConsoleError("apply failed")
			}
		}()
		if len(args) == 0 {
			return nil
		}
		text, err := args[0].String()
		if err != nil {
			return nil
		}
		calls, bad := bridge.ParseCalls(jsbytes.Bytes(text)) // read only; the calls keep slices of text
		if bad > 0 {
			browser.ConsoleError("the loader sent unreadable calls")
		}
		s.Apply(calls)
		return nil
	})
	if err != nil {
		return err
	}
	for _, ev := range []string{"online", "offline"} {
		online := ev == "online"
		if _, err := browser.Listen("window", ev, func() { s.SetOnline(online) }); err != nil {
			browser.ConsoleWarn("cannot listen to " + ev + ": " + err.Error())
		}
	}
	fn, err := safejs.Global().Get("__exponeaBoot")
	if err != nil {
		return err
	}
	if fn.Type() != safejs.TypeFunction {
		return browser.ErrUnavailable
	}
	hooks, err := fn.Invoke(apply.Value())
	if err != nil {
		return err
	}
	if out.done, err = hooks.Get("done"); err != nil {
		return err
	}
	out.emit, err = hooks.Get("emit")
	return err
}

// loader is the sdk.Out that hands answers and reports to the loader's
// hooks.
type loader struct{ done, emit safejs.Value }

func (l *loader) Answers(as []sdk.Answer) {
	if _, err := l.done.Invoke(jsbytes.String(bridge.AppendAnswers(nil, as))); err != nil {
		browser.ConsoleError("done: " + err.Error())
	}
}

func (l *loader) Report(kind string, detail []byte) {
	if _, err := l.emit.Invoke(kind, jsbytes.String(detail)); err != nil {
		browser.ConsoleError("emit: " + err.Error())
	}
}
