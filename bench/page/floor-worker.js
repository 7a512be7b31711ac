// The floor's cold start (bench.floor in measure.js): the smallest Go
// program that links what every build of the SDK must (bench/floor), run
// in a dedicated Worker as the SDK's wasm is: its wasm streamed, compiled
// and instantiated, Go's runtime started and its main run to the end.
// Posts once main has returned; nothing of the SDK is loaded.
importScripts('/floor/wasm_exec.min.js')
const go = new Go()
WebAssembly.instantiateStreaming(fetch('/floor/floor.wasm'), go.importObject)
  .then(({ instance }) => go.run(instance))
  .then(() => postMessage({ id: self.floorID || null }), (e) => postMessage({ error: String(e) }))
