//go:build js && wasm

// Command go is an example of tracking from a Go program compiled to
// WebAssembly with package exponea: `make examples` builds it into
// dist/examples/go/, beside the wasm_exec.js it needs; index.html runs it.
package main

import (
	"syscall/js"

	"github.com/exponea-wasm/tracker/exponea"
)

func main() {
	page := js.Global().Get("EXAMPLE") // {baseUrl, token, authorization}, set by the page
	c, err := exponea.Configure(exponea.Config{
		ProjectToken:      page.Get("token").String(),
		Authorization:     page.Get("authorization").String(),
		BaseURL:           page.Get("baseUrl").String(),
		DefaultProperties: exponea.Properties{"app": "go-example", "sdk_version": exponea.Version},
	})
	if err != nil {
		js.Global().Get("console").Call("error", err.Error())
		return
	}
	if err := c.TrackEvent("go_loaded", exponea.Properties{"path": js.Global().Get("location").Get("pathname").String()}); err != nil {
		js.Global().Get("console").Call("error", err.Error())
	}
	clicks := make(chan struct{}, 16)
	// A js.FuncOf callback must not wait: it only hands the click over.
	js.Global().Get("document").Call("getElementById", "buy").Call("addEventListener", "click",
		js.FuncOf(func(js.Value, []js.Value) any { clicks <- struct{}{}; return nil }))
	js.Global().Set("goReady", true)
	for range clicks {
		err := c.TrackEvent("go_click", exponea.Properties{"price": 12.9, "items": []any{"coffee", 2}})
		if err == nil {
			_, err = c.Flush()
		}
		if err != nil {
			js.Global().Get("console").Call("error", err.Error())
		}
	}
}
