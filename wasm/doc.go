//go:build js && wasm

// Command wasm is the SDK's WebAssembly entry point: glue between the
// JavaScript loader (js/) and the SDK core (internal/sdk), and nothing
// else. It builds the sdk.Platform from the browser bindings
// (internal/browser, internal/idbstore), hands the loader's batches of calls
// to the SDK (internal/bridge parses them) and the SDK's answers and
// reports back to the loader.
//
// The handshake: the loader defines __exponeaBoot(apply) before it starts
// this program; main calls it with apply, the function the loader calls
// with each batch of call lines, and gets back the loader's hooks: done,
// called with each JSON array of answers, and emit, called with a report's
// kind and detail.
package main
