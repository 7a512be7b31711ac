//go:build js && wasm

// Command wasm is the SDK's WebAssembly entry point: glue between the
// JavaScript loader (js/) and the SDK core (internal/sdk), and nothing
// else. It builds the sdk.Platform from the browser bindings
// (internal/browser, internal/idbstore), hands the loader's batches of calls
// to the SDK (internal/bridge parses them) and the SDK's answers and
// reports back to the loader.
//
// The handshake: the loader defines __exponeaBoot(open) before it starts
// this program; main calls it with open. open(hooks) starts an SDK: hooks
// has done, called with each JSON array of answers, and emit, called with
// a report's kind and detail; open sets hooks.apply, the function the
// loader calls with each batch of call lines, and hooks.close, which ends
// that SDK. A dedicated Worker or a page opens one SDK; a SharedWorker one
// for each page that connects, all in this one program.
package main
