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
// program ended: the page restarts the Worker) | {t:'batch', ms: [those]}. marks: when (epoch ms) this
// script started, the page's message came, and the module was compiled,
// instantiated and booted.
import { runGo } from './load.js'

const script = performance.timeOrigin + performance.now()

// send posts m to the page together with whatever else the Go side says in
// the same turn — the answers to a batch, the records it stored, the
// outcome of a request and the records it confirmed — as one message
// {t:'batch', ms}: every message is a task on the page's main thread.
let outbox = null
function send(m) {
  if (!outbox) {
    outbox = []
    queueMicrotask(() => {
      const ms = outbox
      outbox = null
      self.postMessage(ms.length === 1 ? ms[0] : { t: 'batch', ms })
    })
  }
  outbox.push(m)
}
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
    done: (text) => send({ t: 'done', text }),
    emit: (kind, detail) => send({ t: 'emit', kind, detail }),
    exit: (message) => send({ t: 'exit', message }),
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
