// The dedicated Worker the Go side runs in: the page's main thread pays only
// for serializing calls and posting them here. IndexedDB, fetch, Web Locks
// and BroadcastChannel all work in a Worker; what needs the page (visibility,
// pagehide, the keepalive close path) stays in the loader on the page.
//
// Messages: the first from the page is {wasmUrl, module?} (module: the
// wasm, compiled on the page; without it the Worker fetches and compiles
// it); then each is a batch of call lines (a string) or {t:'ping'}. To the
// page: {t:'ready', marks} | {t:'fail', message} | {t:'done', text} |
// {t:'emit', kind, detail} | {t:'pong'} | {t:'exit', message} (the Go
// program ended: the page restarts the Worker). marks: when (epoch ms) this
// script started, the page's message came, and the module was compiled,
// instantiated and booted.
import { runGo } from './load.js'

const script = performance.timeOrigin + performance.now()
let apply = null
let starting = false
self.onmessage = async (e) => {
  if (typeof e.data === 'string') {
    if (apply) apply(e.data)
    return
  }
  if (e.data.t === 'ping') {
    self.postMessage({ t: 'pong' })
    return
  }
  if (starting || !e.data.wasmUrl) return
  starting = true
  let marks = { script, message: performance.timeOrigin + performance.now() }
  const hooks = {
    done: (text) => self.postMessage({ t: 'done', text }),
    emit: (kind, detail) => self.postMessage({ t: 'emit', kind, detail }),
    exit: (message) => self.postMessage({ t: 'exit', message }),
  }
  try {
    try {
      apply = await runGo(e.data.wasmUrl, hooks, { module: e.data.module, marks })
    } catch (err) {
      if (!e.data.module) throw err
      marks = { script, message: marks.message }
      apply = await runGo(e.data.wasmUrl, hooks, { marks }) // compile it here after all
    }
    self.postMessage({ t: 'ready', marks })
  } catch (err) {
    self.postMessage({ t: 'fail', message: String(err && err.message ? err.message : err) })
  }
}
