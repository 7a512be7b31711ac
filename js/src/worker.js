// The worker the Go side runs in: the page's main thread pays only for
// serializing calls and posting them here. IndexedDB, fetch, Web Locks and
// BroadcastChannel all work in a worker; what needs the page (visibility,
// pagehide, the keepalive close path) stays in the loader on the page.
//
// The same script serves as a dedicated Worker (one page) and as a
// SharedWorker: there every page of the origin that connects gets an SDK
// of its own in the one Go program, which the first page's start boots and
// which outlives a page that goes while others are open (or, in Chromium,
// for a while after the last, with extendedLifetime).
//
// Messages, per page (the Worker's, or a SharedWorker port's): the first
// from the page is {wasmUrl, module?} (module: the wasm, compiled on the
// page, which only a dedicated Worker can be posted; without it the worker
// fetches and compiles it; webLocks: a SharedWorker takes the origin's Web
// Lock to send, see sdk.Locks); then each is a batch of call lines (a string),
// {t:'ping'}, {t:'tab', id} (SharedWorker: the page's tab, see peers),
// {t:'shown', visible} (SharedWorker, once the page's SDK runs: whether
// the page is shown; a shown page silent for long is taken for gone),
// {t:'reports', kinds} (the reports the page listens for: the only ones
// posted to it; none until it says), or
// {t:'bye', drain} (SharedWorker: the page has gone; its SDK is closed,
// see sdk.SDK.Close — or with drain, where the worker outlives the page
// and the page sent nothing at close, sdk.SDK.Finish:
// the calls received are applied and what the close path would have sent
// is sent first). To the page: {t:'ready', marks, instance} |
// {t:'fail', message} | {t:'done', text} | {t:'emit', kind, detail} |
// {t:'pong', instance} | {t:'peers', others} (SharedWorker: how many other
// tabs have a page connected, whenever that changes) | {t:'exit', message}
// (the Go program ended, or this worker has no SDK for the page: the page
// starts one again) |
// {t:'batch', ms: [those]}. Before its start a page may say {t:'hello',
// join?} and hear {t:'hello', running}: whether the Go program is up (or
// booting), so that joining it costs no download — the page need not wait
// to start; join is the page's start message, taken as it were sent next
// where the Go program is running (then 'ready' follows, and a start
// message the page sends after is ignored). marks: when (epoch ms) this script started, the
// page's message came, and the module was compiled, instantiated and booted
// — or joined: true when the Go program was running already. instance
// names this run of the script: a page that hears another instance than
// the one it started with was moved to a fresh worker (WebKit does that)
// and starts its SDK again.
import { runGo } from './load.js'
import { SCHEMA_VERSION, FRESH_SCHEMA, PENDING_OPENS } from './constants.gen.js'

const now = () => performance.timeOrigin + performance.now()
const script = now()
const instance = `${Math.round(script)}-${Math.random().toString(36).slice(2, 10)}`

// outbox returns a send(m) that posts m with whatever else the Go side says
// to the page in the same turn — the answers to a batch, the records it
// stored, the outcome of a request and the records it confirmed — as one
// message {t:'batch', ms}: every message is a task on the page's main
// thread. send.flush() posts what it holds at once: the Go program gives
// the turn back only once all its goroutines wait, and configure's answer
// must not wait for the work configure leaves for after it (sdk.Out.Flush).
function outbox(post) {
  let box = null
  const flush = () => {
    if (!box) return
    const ms = box
    box = null
    post(ms.length === 1 ? ms[0] : { t: 'batch', ms })
  }
  const send = (m) => {
    if (!box) {
      box = []
      queueMicrotask(flush)
    }
    box.push(m)
  }
  send.flush = flush
  return send
}

const message = (err) => String(err && err.message ? err.message : err)

// preopen begins opening the page's database while the wasm downloads and
// compiles, so that configure finds it open: the Go side takes the request
// from self[PENDING_OPENS] (idbstore.Open). A new database gets the current
// layout here (FRESH_SCHEMA, from the Go side); one of an older version is
// left to the Go side's migrations (the upgrade is aborted, and the Go side
// opens the database itself). Until the Go side takes the connection, a
// version change elsewhere closes it.
function preopen(name) {
  let req
  try {
    const pending = self[PENDING_OPENS] || (self[PENDING_OPENS] = new Map())
    if (typeof name !== 'string' || !name || pending.has(name) || typeof indexedDB === 'undefined') return
    req = indexedDB.open(name, SCHEMA_VERSION)
    pending.set(name, req)
  } catch {
    return // no IndexedDB here (the Go side says why)
  }
  req.onupgradeneeded = (e) => {
    if (e.oldVersion !== 0) return req.transaction.abort()
    for (const s of FRESH_SCHEMA) {
      const opts = {}
      if (s.keyPath) opts.keyPath = s.keyPath
      if (s.autoIncrement) opts.autoIncrement = true
      const st = req.result.createObjectStore(s.name, opts)
      for (const ix of s.indexes || []) st.createIndex(ix.name, ix.keyPath, { multiEntry: !!ix.multiEntry })
    }
  }
  req.onsuccess = () => {
    req.result.onversionchange = () => {
      if (self[PENDING_OPENS].get(name) === req) self[PENDING_OPENS].delete(name)
      req.result.close()
    }
  }
}

// serve talks to one page through endpoint (self, or a port); boot(data,
// marks, exit) resolves with the Go program's open (load.js).
function serve(endpoint, boot, onBye, running = () => false, shared = false, onTab = () => {}) {
  const send = outbox((m) => endpoint.postMessage(m))
  // The reports the page listens for ({t:'reports', kinds}); the others of
  // REPORT_KINDS are not posted: each message is a task on the page's main
  // thread, and most pages listen for none.
  let reports = new Set()
  let client = null
  let starting = false
  let gone = false
  const exit = (msg) => {
    client = null
    if (!gone) endpoint.postMessage({ t: 'exit', message: msg })
  }
  endpoint.onmessage = (e) => {
    const d = e.data
    if (typeof d === 'string') {
      if (client) client.apply(d)
      else if (!starting) endpoint.postMessage({ t: 'exit', message: 'the worker has no SDK for this page (it was started again)' })
      return
    }
    switch (d && d.t) {
      case 'open': // before the start: a SharedWorker's Go program, once running, has its own
        if (!running()) preopen(d.db)
        return
      case 'ping':
        endpoint.postMessage({ t: 'pong', instance })
        return
      case 'tab':
        onTab(typeof d.id === 'string' && d.id ? d.id : null)
        return
      case 'reports':
        reports = new Set(Array.isArray(d.kinds) ? d.kinds : [])
        return
      case 'hello': {
        // A page that would join a running Go program starts its SDK with
        // the question (join: its start message): one round trip less.
        const join = running() && d.join && d.join.wasmUrl ? d.join : null
        endpoint.postMessage({ t: 'hello', running: running(), instance })
        if (join) start(join)
        return
      }
      case 'bye':
        bye(d.drain === true)
        return
    }
    if (d && d.wasmUrl) start(d)
  }
  const bye = (drain) => {
    if (gone) return
    gone = true
    if (client) client.close(drain)
    client = null
    onBye()
  }
  const start = async (d) => {
    if (starting) return
    starting = true
    const marks = { script, message: now() }
    try {
      const open = await boot(d, marks, exit)
      if (gone) return
      client = open({ done: (text) => send({ t: 'done', text }), emit: (kind, detail) => { if (kind[0] === '_' || reports.has(kind)) send({ t: 'emit', kind, detail }) }, flush: send.flush, shared, webLocks: d.webLocks === true })
      endpoint.postMessage({ t: 'ready', marks, instance })
    } catch (err) {
      endpoint.postMessage({ t: 'fail', message: message(err) })
    }
  }
  return { bye }
}

if (typeof SharedWorkerGlobalScope === 'function' && self instanceof SharedWorkerGlobalScope) {
  // One Go program for every page; booted by the first page's start, and
  // again after it ended.
  let program = null
  const exits = new Set()
  const boot = (d, marks, exit) => {
    exits.add(exit)
    if (program) {
      marks.joined = true
      delete marks.script // the script ran for an earlier page
      return program
    }
    const p = runGo(d.wasmUrl, (msg) => {
      if (program === p) program = null
      for (const x of [...exits]) x(msg)
      exits.clear()
    }, { marks })
    program = p
    p.catch(() => { if (program === p) program = null })
    return p
  }
  // The pages connected and not gone, each with its tab (the page says
  // which: {t:'tab', id}, the same for the frames of one tab; null if it
  // cannot tell). Each is told how many other tabs keep this worker
  // running (peers), so that one going leaves a send under way to it
  // rather than sending its own copy (bridge.outlives). A frame of the
  // same tab goes with it, and a page that cannot tell counts for none.
  //
  // A page says 'bye' as it goes, but a tab that crashes says nothing, and
  // its SDK here would go on as the page left it: shown, its session's
  // heartbeat keeping the origin's session open for as long as the worker
  // runs, and counted as a tab that keeps the worker running. A page whose
  // SDK runs says whether it is shown ({t:'shown', visible}), and a shown
  // page posts at least every ~6 s (bridge.js, IDLE_PING_AFTER); one shown
  // and silent for GONE_AFTER is taken for gone. Should it be alive after
  // all (its main thread blocked that long), it hears nothing more from
  // here and starts its SDK again (the bridge's supervision): nothing is
  // lost, its calls are journaled.
  const GONE_AFTER = 20000
  const pages = new Map() // port → {tab, shown, heard, bye}
  const peers = () => {
    for (const [p, { tab }] of pages) {
      const others = new Set()
      if (tab) for (const pg of pages.values()) if (pg.tab && pg.tab !== tab) others.add(pg.tab)
      try { p.postMessage({ t: 'peers', others: others.size }) } catch { /* closed */ }
    }
  }
  let sweeper = 0
  const sweep = () => {
    const t = Date.now()
    for (const pg of [...pages.values()]) if (pg.shown && t - pg.heard > GONE_AFTER) pg.bye(false)
    if (pages.size) return
    clearInterval(sweeper)
    sweeper = 0
  }
  self.onconnect = (e) => {
    const port = e.ports[0]
    let exit = null
    const pg = { tab: null, shown: false, heard: Date.now(), bye: () => {} }
    pages.set(port, pg)
    port.addEventListener('message', (m) => {
      pg.heard = Date.now()
      if (m.data && m.data.t === 'shown') pg.shown = m.data.visible === true
    })
    pg.bye = serve(port, (d, marks, x) => { exit = x; return boot(d, marks, x) }, () => {
      if (exit) exits.delete(exit)
      pages.delete(port)
      port.close()
      peers()
    }, () => program !== null, true, (tab) => {
      if (!pages.has(port)) return
      pg.tab = tab
      peers()
    }).bye
    if (!sweeper) sweeper = setInterval(sweep, GONE_AFTER / 4)
  }
} else {
  // A dedicated Worker: one page, whose wasm may come compiled.
  serve(self, async (d, marks, exit) => {
    try {
      return await runGo(d.wasmUrl, exit, { module: d.module, marks })
    } catch (err) {
      if (!d.module) throw err
      for (const k of ['compiled', 'instantiated']) delete marks[k]
      return runGo(d.wasmUrl, exit, { marks }) // compile it here after all
    }
  }, () => {})
}
