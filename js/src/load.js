// Starting the Go program: shared by the page (fallback) and the worker.
import 'go:wasm_exec'

// runGo instantiates the wasm at wasmUrl, runs it, and resolves with the
// apply function it hands over once booted (see wasm/doc.go). hooks are
// {done, emit, exit}: what Go calls with answers and reports, and what is
// called if the Go program ends — it never should; a crash ends it.
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
    throw new Error(`cannot load ${wasmUrl}: ${e && e.message ? e.message : e}${cspHint(e)}`)
  }
  // The Go side reads its linear memory's size from here for getStats().
  globalThis.__exponeaMemory = () => instance.exports.mem.buffer.byteLength
  go.run(instance).then(
    () => hooks.exit('the Go program exited'),
    (e) => hooks.exit(`the Go program crashed: ${e && e.message ? e.message : e}`),
  )
  const apply = await booted
  delete globalThis.__exponeaBoot
  return apply
}

// cspHint names the directive a Content-Security-Policy lacks when it is
// what refused the module.
function cspHint(e) {
  const m = String(e && e.message)
  return /Content Security Policy|unsafe-eval|CSP/i.test(m)
    ? " (the page's Content-Security-Policy must allow WebAssembly: add 'wasm-unsafe-eval' to script-src)"
    : ''
}
