// The dedicated Worker the Go side runs in: the page's main thread pays only
// for serializing calls and posting them here. IndexedDB, fetch, Web Locks
// and BroadcastChannel all work in a Worker; what needs the page (visibility,
// pagehide, the keepalive close path) stays in the loader on the page.
//
// Messages: the first from the page is {wasmUrl}; then each is a batch of
// call lines (a string) or {t:'ping'}. To the page: {t:'ready'} |
// {t:'fail', message} | {t:'done', text} | {t:'emit', kind, detail} |
// {t:'pong'} | {t:'exit', message} (the Go program ended: the page
// restarts the Worker).
import { runGo } from './load.js'

let apply = null
self.onmessage = async (e) => {
  if (typeof e.data === 'string') {
    if (apply) apply(e.data)
    return
  }
  if (e.data.t === 'ping') {
    self.postMessage({ t: 'pong' })
    return
  }
  if (apply || !e.data.wasmUrl) return
  try {
    apply = await runGo(e.data.wasmUrl, {
      done: (text) => self.postMessage({ t: 'done', text }),
      emit: (kind, detail) => self.postMessage({ t: 'emit', kind, detail }),
      exit: (message) => self.postMessage({ t: 'exit', message }),
    })
    self.postMessage({ t: 'ready' })
  } catch (err) {
    self.postMessage({ t: 'fail', message: String(err && err.message ? err.message : err) })
  }
}
