// Package exponea tracks events from a Go program compiled to WebAssembly
// (GOOS=js GOARCH=wasm) and run in a browser: the SDK's own core
// (internal/sdk) runs in the program's module, with the same IndexedDB
// queue — shared with the pages of the origin that use the JavaScript SDK
// with the same project — the same flushing, retries, sessions and consent,
// speaking the Bloomreach Engagement Tracking API.
//
//	c, err := exponea.Configure(exponea.Config{ProjectToken: "abc", Authorization: "Token public-key"})
//	err = c.TrackEvent("purchase", exponea.Properties{"price": 123.45})
//
// Every method that stores or sends waits for it, as the JavaScript SDK's
// Promises do: call them from a goroutine of your own, never from inside a
// js.FuncOf callback (the browser cannot deliver the IndexedDB events the
// call waits for until the callback returns). A call returns once its
// record is durable. Bad input is an *InputError naming the field.
//
// Unlike the JavaScript loader, this package has no page-close path and
// no journal of its own: a call that returned is stored, and what is
// unsent when the page closes goes out with the next page's flush.
package exponea
