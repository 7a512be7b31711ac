// Test instrumentation, the first script of every test page (the pages
// server inserts it) and of every same-origin classic Worker and
// SharedWorker the page starts (the constructors here load the worker's
// script through observe-worker.js). A SharedWorker's records go to every
// page connected to it. It records fetches, console warnings and errors (and
// the SDK's debug logs, prefixed [exponea]), and
// uncaught errors into window.__e2e, which the harness reads by polling
// (Page.requests(), console(), errors()): the same in every engine, with no
// request interception or console protocol, which classic WebDriver lacks.
// It changes nothing the SDK sees but the Worker's script URL.
(() => {
  const inWorker = typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope
  const where = inWorker ? 'worker' : 'page'
  const MAX = 5000
  let n = 0
  let record
  const shared = typeof SharedWorkerGlobalScope !== 'undefined' && self instanceof SharedWorkerGlobalScope
  if (shared) {
    // To every page connected, which the SharedWorker wrapper below listens
    // to; what comes before the first page's port waits for it.
    const ports = new Set()
    const early = []
    self.addEventListener('connect', (e) => {
      const port = e.ports[0]
      ports.add(port)
      for (const m of early) port.postMessage(m)
      early.length = 0
    })
    record = (kind, entry) => {
      const m = { t: '__e2e', kind, entry }
      if (!ports.size) return early.length < MAX && early.push(m)
      for (const port of ports) port.postMessage(m)
    }
  } else if (inWorker) {
    // To the page, which the Worker wrapper below listens to.
    record = (kind, entry) => self.postMessage({ t: '__e2e', kind, entry })
  } else {
    const log = (self.__e2e = { requests: [], console: [], errors: [] })
    const byId = new Map()
    record = (kind, entry) => {
      if (kind === 'answer') {
        const r = byId.get(entry.id)
        if (r) Object.assign(r, entry)
        return
      }
      if (log[kind].length >= MAX) return
      log[kind].push(entry)
      if (kind === 'requests') byId.set(entry.id, entry)
    }
    const wrap = (name, target) => {
      const Native = self[name]
      if (!Native) return
      self[name] = new Proxy(Native, {
        construct(Target, [url, opts]) {
          const src = new URL(String(url), location.href)
          // Only a same-origin http(s) classic script can be loaded by
          // importScripts from observe-worker.js (not a blob: or data: URL).
          if (src.protocol !== location.protocol || src.origin !== location.origin || (opts && opts.type === 'module')) return new Target(url, opts)
          const w = new Target('/observe-worker.js?src=' + encodeURIComponent(src.href), opts)
          // Registered before the SDK sets onmessage, so it runs first and
          // keeps the observer's messages from the SDK.
          target(w).addEventListener('message', (e) => {
            const m = e.data
            if (m && m.t === '__e2e') {
              e.stopImmediatePropagation()
              record(m.kind, m.entry)
            }
          })
          return w
        },
      })
    }
    wrap('Worker', (w) => w)
    wrap('SharedWorker', (w) => w.port)
  }

  const text = (v) => {
    if (typeof v === 'string') return v
    if (v instanceof Error) return `${v.name}: ${v.message}`
    try { return JSON.stringify(v) } catch { return String(v) }
  }
  for (const [method, type] of [['warn', 'warning'], ['error', 'error'], ['log', 'log']]) {
    const orig = console[method]
    console[method] = function (...args) {
      // Of plain logs only the SDK's debug lines, which a test looks for.
      if (type !== 'log' || (typeof args[0] === 'string' && args[0].startsWith('[exponea]'))) {
        record('console', { type, text: args.map(text).join(' '), where })
      }
      return orig.apply(this, args)
    }
  }
  self.addEventListener('error', (e) => record('errors', { message: e.message || text(e.error), where }))
  self.addEventListener('unhandledrejection', (e) => record('errors', { message: `unhandled rejection: ${text(e.reason)}`, where }))

  const fetch = self.fetch
  self.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const method = String((init && init.method) || (input && input.method) || 'GET').toUpperCase()
    const id = `${where}${++n}`
    record('requests', { id, at: Date.now(), url: String(url), method, keepalive: !!(init && init.keepalive), where, status: null, error: null, answeredAt: null })
    const p = fetch.apply(this, arguments)
    p.then(
      (res) => record('answer', { id, status: res.status, answeredAt: Date.now() }),
      (err) => record('answer', { id, error: text(err), answeredAt: Date.now() }),
    )
    return p
  }
})()
