// Command wasm is the SDK's WebAssembly entry point. It builds the object
// the JavaScript loader (js/) talks to and wires the pure core — tracker,
// flush scheduler, queue — to the browser: IndexedDB, fetch, page lifecycle
// events.
//
// The loader hands calls over in batches, one JS→Go crossing per microtask:
// a JSON array of {"i":id,"m":method,"t":ms,"a":argument}. Results go back
// the same way, as a JSON array of {"i":id,"v":value} or
// {"i":id,"e":{"c":class,"m":message}}, through the loader's done callback.
// Calls are applied in order by one worker goroutine; a JS callback never
// waits for anything.
package main
