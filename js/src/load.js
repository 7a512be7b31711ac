// Starting the Go program: shared by the page (fallback) and the worker.
import { installGo } from 'go:wasm_exec'

const now = () => performance.timeOrigin + performance.now()

// compileWasm fetches and compiles the module at wasmUrl, compiling while it
// downloads when it is served as application/wasm. The page starts it the
// moment the SDK is configured, beside the Worker's own start, and posts the
// module to the Worker (a compiled module can be posted): the download and
// the compile no longer wait for the Worker's script.
export async function compileWasm(wasmUrl) {
  try {
    const res = await fetch(wasmUrl, { credentials: 'same-origin' })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    return WebAssembly.compileStreaming && /wasm/.test(res.headers.get('Content-Type') || '')
      ? await WebAssembly.compileStreaming(res)
      : await WebAssembly.compile(await res.arrayBuffer())
  } catch (e) {
    throw new Error(`cannot load ${wasmUrl}: ${e && e.message ? e.message : e}${cspHint(e)}`)
  }
}

// runGo instantiates the wasm — module, if given, else compiled from
// wasmUrl — runs it, and resolves once booted (see wasm/doc.go) with
// open(hooks): it starts an SDK in the Go program that answers through
// hooks {done, emit, flush?} (flush: posts at once what done and emit gave
// this turn; shared: it is one of a SharedWorker's; webLocks: they
// take the origin's Web Lock too) and returns {apply, close}: apply takes a
// batch of call lines; close ends that SDK, close(true) after applying what
// it got and sending what the page's close path would have. exit is called
// if the Go program ends: it never should; a crash ends it. marks, if given, gets the times (epoch
// ms) the module was compiled (if compiled here), instantiated and booted.
export async function runGo(wasmUrl, exit, { module, marks = {} } = {}) {
  const go = new (goClass())()
  const booted = new Promise((resolve) => {
    globalThis.__exponeaBoot = (open) => { resolve(open) }
  })
  let instance
  try {
    if (!module) {
      module = await compileWasm(wasmUrl)
      marks.compiled = now()
    }
    try {
      instance = await WebAssembly.instantiate(module, go.importObject)
    } catch (e) {
      throw new Error(`cannot load ${wasmUrl}: ${e && e.message ? e.message : e}${cspHint(e)}`) // WebKit checks the policy here
    }
    marks.instantiated = now()
  } catch (e) {
    delete globalThis.__exponeaBoot
    throw e
  }
  // The Go side reads its linear memory's size from here for getStats().
  globalThis.__exponeaMemory = () => instance.exports.mem.buffer.byteLength
  go.run(instance).then(
    () => exit('the Go program exited'),
    (e) => exit(`the Go program crashed: ${e && e.message ? e.message : e}`),
  )
  const open = await booted
  marks.booted = now()
  delete globalThis.__exponeaBoot
  return ({ done, emit, flush, shared = false, webLocks = false }) => {
    const hooks = { done, emit, flush, shared, webLocks, apply: null, close: null }
    open(hooks)
    if (!hooks.apply) throw new Error('the Go program could not open an SDK')
    return { apply: hooks.apply, close: hooks.close }
  }
}

// goClass returns Go's class (wasm_exec.js) for running a Go program,
// running wasm_exec.js the first time (js/build.mjs has why it waits until
// then). It leaves the global Go as it found it. The fs, process and path it
// defines where the global scope has none stay: the Go program's syscall
// package reads them, and its runtime writes its output through fs.
let GoClass = null
function goClass() {
  if (!GoClass) {
    const had = Object.prototype.hasOwnProperty.call(globalThis, 'Go')
    const before = globalThis.Go
    installGo()
    GoClass = globalThis.Go
    if (had) globalThis.Go = before
    else delete globalThis.Go
  }
  return GoClass
}

// cspHint names the directive a Content-Security-Policy lacks when it is
// what refused the module.
function cspHint(e) {
  const m = String(e && e.message)
  return /Content Security Policy|unsafe-eval|CSP/i.test(m)
    ? " (the page's Content-Security-Policy must allow WebAssembly: add 'wasm-unsafe-eval' to script-src)"
    : ''
}
