// Starting the Go program: shared by the page (fallback) and the worker.
import 'go:wasm_exec'

// runGo instantiates the wasm at wasmUrl, runs it, and resolves with the
// apply function it hands over once booted. hooks are {done, emit}: what
// Go calls with results and delivery events (see wasm/doc.go).
export async function runGo(wasmUrl, hooks) {
  const go = new globalThis.Go()
  const booted = new Promise((resolve) => {
    globalThis.__exponeaBoot = (apply) => { resolve(apply); return hooks }
  })
  let instance
  try {
    const res = await fetch(wasmUrl, { credentials: 'same-origin' })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    instance = WebAssembly.instantiateStreaming && /wasm/.test(res.headers.get('Content-Type') || '')
      ? (await WebAssembly.instantiateStreaming(res, go.importObject)).instance
      : (await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject)).instance
  } catch (e) {
    delete globalThis.__exponeaBoot
    throw new Error(`Exponea: cannot load ${wasmUrl}: ${e && e.message ? e.message : e}`)
  }
  // The Go side reads its linear memory's size from here for getStats().
  globalThis.__exponeaMemory = () => instance.exports.mem.buffer.byteLength
  go.run(instance).catch((e) => console.error('[exponea] the wasm module stopped', e))
  const apply = await booted
  delete globalThis.__exponeaBoot
  return apply
}
