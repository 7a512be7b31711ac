// The channel to the Go side, which runs in a worker when it can (the
// page's main thread then pays only for serializing calls and posting
// them) and on the page otherwise. The worker is a SharedWorker where the
// engine has one — every page of the origin is a client of one Go program,
// which outlives a page that goes while another is open (and in Chromium,
// with extendedLifetime, the last page for a while) — else a dedicated
// Worker; a page can ask for either, or for the page itself (host). Calls made in one task cross together at
// the next microtask: a JS→Go call costs ~14 µs, a batch of a thousand
// costs one.
//
// The bridge owns a call from the instant it is made. Calls that make
// records are written to the page's journal (journal.js) in that microtask,
// before they are posted, and stay there until the Go side has answered
// for them; the Go side is supervised — a Worker that dies or stops
// answering is restarted, and after repeated failures the Go side runs on
// the page — and whatever it had not answered for is handed over again,
// under the same record ids. So a call is never lost to a tab closed in the
// same task, a reload, a crash or a slow start, and its Promise always
// settles: when its record is durable, or with an Error that says why not.
import { MAX_CALLS_PER_APPLY } from './constants.gen.js'
import { Journal, entryKey, recordKey } from './journal.js'
import { RECORDS, RUNS as RUN_LIST } from './methods.js'

const US = '\u001f'
const epochNow = () => performance.timeOrigin + performance.now()
const errorClasses = { TypeError, RangeError }
// The calls that make records, journaled; RUNS are stored together (methods.js).
const JOURNALED = new Set(RECORDS)
const RUNS = new Set(RUN_LIST)

// Supervision of a Worker: with calls outstanding and nothing heard from it
// for PING_AFTER ms it is pinged; DEAD_AFTER ms more of silence and it is
// taken for dead. It is restarted after each delay of RESTARTS, then the Go
// side runs on the page. A start that failed in storage is the storage's,
// which every host shares: it is started again where it was, up to
// STORAGE_RESTARTS times, the last delay repeated (WebKit has held
// IndexedDB's first transactions for over 15 s after a tab closed). A
// visible page with nothing outstanding pings it after IDLE_PING_AFTER ms
// of silence, either way: a SharedWorker that died (or that
// WebKit started again, with no SDK for this page, when another tab
// closed) is noticed without waiting for the page's next call, and the Go
// side's timers (the flush period, the session's end) run again; and a
// SharedWorker hears from each of its shown pages at least that often, so
// that it can take one silent for long for gone (a crashed tab says
// nothing; worker.js).
const PING_AFTER = 2000
const IDLE_PING_AFTER = 5000
const DEAD_AFTER = 4000
const RESTARTS = [250, 1000, 4000]
const STORAGE_RESTARTS = 8
// The most calls with the Go side and not yet answered (see post).
const AHEAD = 2 * MAX_CALLS_PER_APPLY

// tabID names the page's tab: the frames of a tab share it (and so do the
// pages of a visit, and a tab duplicated from it); '' where
// sessionStorage cannot be used.
function tabID() {
  try {
    let id = sessionStorage.getItem(TAB_KEY)
    if (!id) sessionStorage.setItem(TAB_KEY, id = Math.random().toString(36).slice(2, 12))
    return id
  } catch {
    return ''
  }
}

const TAB_KEY = 'exponea:tab'

export class Bridge {
  // hooks: {report(kind, detail) for every report (the loader's own start
  // with '_'), configured(state) for every configure answer, restore() the
  // [method, args] calls that bring a restarted Go side to the page's
  // settings}. defaults is the default properties' JSON text; runGo starts
  // the Go side on the page and compile compiles the wasm (load.js).
  // host: 'auto' (a SharedWorker where there is one), 'sharedworker',
  // 'worker' or 'page'; sharedName names the SharedWorker (pages of another
  // SDK version must not share its Go program).
  constructor({ db, defaults, hooks, runGo, compile, host = 'auto', sharedName = 'exponea' }) {
    this.hooks = hooks
    this.dbName = db
    this.host = host
    this.sharedName = sharedName
    this.hostReason = '' // why the Go side runs where it does, if not where asked
    this.lifetime = '' // a SharedWorker's: 'extended' (outlives the last page for a while) or 'page'
    this.instance = '' // the SharedWorker run that answered ready (worker.js)
    this.early = null // the SharedWorker connection preconnect made, until launch takes it
    this.drained = false // suspend handed what the page made to a worker that outlives it
    this.others = 0 // the other tabs the SharedWorker says keep it running
    this.runGo = runGo
    this.compile = compile
    this.module = null // Promise of the wasm compiled on the page (null: failed), kept for restarts
    this.marks = {} // the last start's times, epoch ms (startup())
    this.journal = new Journal(db)
    this.defaults = defaults // as the page last set them
    this.configDefaults = defaults
    this.nextID = 1
    this.waiting = new Map() // id → {resolve, reject, line, method, entry, defaults}
    this.entries = new Map() // key → {key, defaults, calls, pending, keep}: journaled, not all answered
    this.queue = []
    this.backlog = [] // pieces of lines not yet handed to the Go side (post)
    this.ahead = 0 // calls handed to the Go side and not yet answered
    this.scheduled = false
    this.posting = [] // lines of the calls of this task, posted in the next (drain)
    this.held = 0 // the timer of hold(); nothing is posted while it runs
    this.apply = null // posts a batch of lines to the Go side; null while it is not running
    this.where = '' // 'sharedworker', 'worker' or 'page'
    this.worker = null
    this.restarts = 0
    this.handovers = 0 // Go sides brought up to the page (handOver)
    this.suspended = false
    this.pageRuns = 0 // Go sides started on the page
    this.heard = 0 // when the Go side was last heard from
    this.sent = Infinity // when the page last posted to its SharedWorker
    this.reports = [] // the reports the page listens for (setReports)
    this.pinged = 0
    this.timer = 0
    this.journalFull = false
  }

  // start runs the Go side, in a Worker from workerUrl if it can, and
  // resolves when it has answered configure for the first time;
  // configureArgs() returns configure's JSON argument, made anew for every
  // Go side started.
  start(wasmUrl, workerUrl, configureArgs) {
    this.wasmUrl = wasmUrl
    this.workerUrl = workerUrl
    this.configureArgs = configureArgs
    this.ready = new Promise((resolve, reject) => { this.settleReady = { resolve, reject } })
    // A start that waited for the page's content (start.js) may come after
    // the page left for another of the site and was restored from the
    // back/forward cache: what the next page answered for is settled.
    this.settleHandedOver()
    this.replayStored()
    this.launch(this.firstHost())
    return this.ready
  }

  // call queues method(argsJSON) and returns a Promise of its value. opts:
  // {time, key}, for calls made before the SDK loaded (the snippet's).
  call(method, argsJSON, opts = {}) {
    return new Promise((resolve, reject) => {
      const c = {
        id: this.nextID++, method, args: argsJSON === undefined ? '' : argsJSON,
        time: opts.time || performance.timeOrigin + performance.now(), key: '', resolve, reject,
      }
      if (JOURNALED.has(method)) {
        c.key = opts.key || recordKey()
        c.defaults = this.defaults
      }
      this.queue.push(c)
      if (!this.scheduled) {
        this.scheduled = true
        queueMicrotask(() => this.drain())
      }
    })
  }

  // tell sends a call whose answer nobody waits for.
  tell(method, argsJSON) { this.call(method, argsJSON).catch(() => {}) }

  // drain journals the calls of the task, in entries, then posts them.
  drain() {
    this.scheduled = false
    const calls = this.queue
    this.queue = []
    let run = null // the entry the current run of trackEvent/identifyCustomer goes to
    const fresh = []
    for (const c of calls) {
      let e = null
      if (!JOURNALED.has(c.method)) run = null
      else if (RUNS.has(c.method) && run && run.calls.length < MAX_CALLS_PER_APPLY && run.defaults === c.defaults) e = run
      else {
        e = { key: entryKey(), defaults: c.defaults, calls: [], pending: 0, keep: false, journaled: false }
        this.entries.set(e.key, e)
        fresh.push(e)
        run = RUNS.has(c.method) ? e : null
      }
      if (e) {
        e.calls.push(c)
        e.pending++
      }
      this.waiting.set(c.id, { resolve: c.resolve, reject: c.reject, method: c.method, entry: e, line: line(c, e) })
    }
    for (const e of fresh) {
      e.journaled = this.journal.write(e)
      if (!e.journaled && !this.journalFull) {
        this.journalFull = true
        this.hooks.report('error', { message: "the page's journal (localStorage) is full or unavailable: calls made now are kept in memory until the SDK has stored them, and are lost if the tab closes first", paused: false })
      }
    }
    // Posted in a task of its own, after the task that made the calls has
    // run to its end: a click on a link navigates at the end of its task,
    // and what a page leaving for another page of the site made in it is
    // the next page's to send (hold).
    if (!this.posting.length) setTimeout(() => this.flushPosting(), 0)
    for (const c of calls) this.posting.push(this.waiting.get(c.id).line)
  }

  flushPosting() {
    const lines = this.posting
    this.posting = []
    if (this.apply) this.post(lines)
  }

  // hold keeps every call on the page, journaled, for ms: the page is
  // leaving for another page of the site, which hands them over and sends
  // them (so they are sent once, even to a backend that does not dedupe).
  // Were the navigation cancelled, they go to the Go side when ms is up.
  hold(ms) {
    clearTimeout(this.held)
    this.held = setTimeout(() => this.release(), ms)
  }

  release() {
    clearTimeout(this.held)
    this.held = 0
    this.pump()
  }

  // post hands lines to the Go side in pieces of about MAX_CALLS_PER_APPLY,
  // never splitting a journal entry: the Go side applies an entry once, in
  // one go, so the part of an entry that came in a later piece would be
  // taken for applied already. At most AHEAD calls are with the Go side
  // unanswered; the rest wait here (pump), so a burst is never all in the
  // Go heap at once (its linear memory never shrinks) and the Go side always
  // has the next piece while it stores one.
  post(lines) {
    let piece = []
    let last = ''
    for (const l of lines) {
      const entry = entryOf(l)
      if (piece.length >= MAX_CALLS_PER_APPLY && (entry === '' || entry !== last)) {
        this.backlog.push(piece)
        piece = []
      }
      piece.push(l)
      last = entry
    }
    if (piece.length) this.backlog.push(piece)
    this.pump()
  }

  pump() {
    while (this.apply && !this.held && this.backlog.length && this.ahead < AHEAD) {
      const piece = this.backlog.shift()
      this.ahead += piece.length
      this.apply(piece.join('\n'))
    }
  }

  done(text) {
    this.heard = Date.now()
    const answers = JSON.parse(text)
    this.ahead = Math.max(0, this.ahead - answers.length)
    const from = this.apply
    for (const r of answers) {
      // Given up on within these answers (configure failed): the calls
      // after it go to the next Go side, unanswered here.
      if (this.apply !== from) return
      const w = this.waiting.get(r.i)
      if (!w) continue
      this.waiting.delete(r.i)
      if (w.onAnswer) w.onAnswer(r)
      const e = w.entry
      if (!r.e) w.resolve(r.v)
      else if (errorClasses[r.e.c] || !e) w.reject(new (errorClasses[r.e.c] || Error)(r.e.m))
      else {
        // Not stored, for a reason of the SDK's, not the call's: it stays
        // in the journal, and the next page that loads hands it over again.
        e.keep = true
        w.reject(new Error(`${r.e.m} (the call stays in the page's journal and is handed over again when the SDK next starts)`))
      }
      if (e && --e.pending === 0) {
        this.entries.delete(e.key)
        if (!e.keep) this.journal.remove(e.key)
      }
    }
    this.pump()
  }

  event(kind, detail) {
    this.heard = Date.now()
    this.hooks.report(kind, kind[0] === '_' ? detail : JSON.parse(detail))
  }

  // forget removes every journal entry of this database (consent denied:
  // nothing of the visitor's may be kept). The calls still waiting are
  // answered as dropped by the Go side.
  forget() {
    for (const e of this.journal.entries()) this.journal.remove(e.key)
    for (const e of this.entries.values()) e.keep = false
  }

  // unstored returns the journaled calls not yet answered for, oldest
  // first, as {method, args, time, key, defaults}: the close path builds
  // their commands on the page.
  unstored() {
    const out = []
    for (const e of this.entries.values()) {
      if (this.handedOver(e)) continue
      for (const c of e.calls) if (this.waiting.has(c.id)) out.push({ method: c.method, args: c.args, timeMs: c.time, key: c.key, defaults: e.defaults })
    }
    return out
  }

  // handedOver says whether entry e, journaled here, has left the journal:
  // another page of the origin handed it over and its Go side answered for
  // it (a page restored from the back/forward cache finds the calls it
  // left for the next page sent by that page).
  handedOver(e) { return e.journaled && !this.journal.has(e.key) }

  // settleHandedOver answers the calls of entries another page answered
  // for: their records are stored (the Go side stores an entry once, so
  // handing them over again would only be answered so).
  settleHandedOver() {
    for (const e of [...this.entries.values()]) {
      if (!this.handedOver(e)) continue
      for (const c of e.calls) {
        const w = this.waiting.get(c.id)
        if (!w) continue
        this.waiting.delete(c.id)
        w.resolve(undefined)
      }
      this.entries.delete(e.key)
    }
  }

  // replayStored queues the journal entries other pages left behind — a
  // tab closed before the Go side stored them, a crash — to be handed over
  // first. Entries of a live tab are handed over twice; the Go side stores
  // an entry once.
  replayStored() {
    for (const s of this.journal.entries()) {
      if (this.entries.has(s.key)) continue
      const e = { key: s.key, defaults: s.defaults, calls: [], pending: 0, keep: false, journaled: true }
      for (const c of s.calls) {
        const id = this.nextID++
        const call = { id, method: c.method, args: c.args, time: c.time, key: c.key }
        e.calls.push(call)
        e.pending++
        this.waiting.set(id, { resolve() {}, reject() {}, method: c.method, entry: e, line: line(call, e) })
      }
      if (e.pending) this.entries.set(e.key, e)
    }
  }

  // preconnect connects to the origin's SharedWorker at configure, before
  // the start waits for the page's content (start.js), and resolves true
  // if its Go program is running already: joining it downloads, compiles
  // and boots nothing, so the page need not wait. Where it runs, the
  // question is the start too (worker.js: hello's join), and what the
  // worker says next waits here for the start (startWorker). One not
  // running loads only its script (~4 KB) here; the wasm waits for the
  // start. Resolves false for any other host, or without an answer in a
  // second.
  preconnect(workerUrl, wasmUrl) {
    this.workerUrl = workerUrl
    if (this.firstHost() !== 'sharedworker') return Promise.resolve(false)
    let w
    try { w = this.connect('sharedworker') } catch { return Promise.resolve(false) }
    this.early = w
    const heard = []
    w.heard = heard
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000)
      const done = (running) => { clearTimeout(timer); resolve(running) }
      w.listen((e) => {
        if (e.data && e.data.t === 'hello') done(e.data.running === true)
        else if (e.data && e.data.t === 'peers') { if (this.early === w) this.others = e.data.others }
        else heard.push(e)
      }, () => done(false))
      w.post({ t: 'hello', join: this.startMessage(wasmUrl) })
    })
  }

  // startMessage is what a SharedWorker is told to start this page's SDK:
  // its pages send one at a time under its own lock; the origin's Web Lock
  // as well only where the worker outlives its pages (Chromium): Firefox
  // evicts from its back/forward cache a page whose SharedWorker holds a
  // Web Lock as it goes (sdk.Locks).
  startMessage(wasmUrl) { return { wasmUrl: String(wasmUrl), webLocks: this.lifetime === 'extended' } }

  // firstHost is where the Go side is started first: host, if the engine
  // has it; hostReason says why not.
  firstHost() {
    const can = { sharedworker: typeof SharedWorker === 'function', worker: typeof Worker === 'function' }
    if (!this.workerUrl || this.host === 'page') {
      this.hostReason = this.host === 'page' ? 'asked for (host)' : 'no worker script (worker: false)'
      return 'page'
    }
    if (this.host !== 'worker' && can.sharedworker) return 'sharedworker'
    if (this.host === 'worker') this.hostReason = 'asked for (host)'
    else this.hostReason = 'this engine has no SharedWorker'
    if (can.worker) return 'worker'
    this.hostReason = 'this engine has no Worker'
    return 'page'
  }

  // launch starts the Go side where, and hands it everything outstanding.
  // The wasm is compiled on the page from the start, beside the Worker's own
  // start, and posted to it (or used on the page); a restart reuses it.
  async launch(where) {
    this.where = where
    this.marks = { start: epochNow() }
    // A SharedWorker compiles its own (a compiled module cannot be posted
    // to one) — once for every page of the origin.
    if (!this.module && where !== 'sharedworker') {
      const marks = this.marks
      this.module = this.compile(this.wasmUrl).catch(() => null) // the Worker tries again, and says why
      this.module.then((m) => { if (m) marks.compiled = epochNow() })
    }
    try {
      if (where !== 'page') {
        // The connection preconnect made, the first time.
        this.worker = where === 'sharedworker' && this.early ? this.early : this.connect(where)
        this.early = null
        this.marks.worker = epochNow()
        this.apply = await this.startWorker(this.worker)
      } else {
        // A Go side on the page given up on (its configure failed) cannot
        // be stopped; what it still says is not heard.
        const gen = ++this.pageRuns
        const live = () => gen === this.pageRuns
        const module = await this.module
        const open = await this.runGo(this.wasmUrl, (message) => live() && this.lost(message), { module, marks: this.marks })
        this.apply = open({
          done: (text) => live() && this.done(text),
          emit: (kind, detail) => live() && this.event(kind, detail),
        }).apply
      }
    } catch (e) {
      this.worker = null
      const msg = e && e.message ? e.message : String(e)
      if (where !== 'page') {
        const next = where === 'sharedworker' && typeof Worker === 'function' ? 'worker' : 'page'
        this.hostReason = `the ${where === 'sharedworker' ? 'SharedWorker' : 'Worker'} did not start (${msg})`
        console.warn(`[exponea] running ${next === 'page' ? 'on the page' : 'in a dedicated Worker'}: ${this.hostReason}`)
        return this.launch(next)
      }
      return this.failed(msg)
    }
    this.heard = Date.now()
    this.handOver()
  }

  // handOver brings a (re)started Go side up to the page: configure, the
  // page's settings, then every call not answered for, in order; a
  // journaled call goes under the default properties it was made with.
  handOver() {
    const lines = []
    const internal = (method, args, onAnswer) => {
      const id = this.nextID++
      this.waiting.set(id, { resolve() {}, reject() {}, method, entry: null, onAnswer, line: '' })
      lines.push(line({ id, method, args, time: performance.timeOrigin + performance.now(), key: '' }, null))
    }
    const first = this.handovers++ === 0
    const marks = this.marks
    internal('configure', this.configureArgs(), (r) => {
      // A configuration the Go side refuses is the page's mistake, and no
      // restart mends it. Anything else is storage that failed or timed out
      // while opening (WebKit has held IndexedDB's first transactions for
      // over 15 s after a tab closed): start again, as after a crash; the
      // calls wait.
      if (r.e) return errorClasses[r.e.c] ? this.failed(r.e.m) : this.lost(`configure: ${r.e.m}`, true)
      marks.configured = epochNow()
      marks.openMs = r.v && r.v.openMs
      if (r.v && r.v.openedEarly) marks.openedEarly = true
      this.hooks.configured(r.v)
      this.settleReady.resolve()
    })
    // A restarted Go side knows nothing of the settings the page changed
    // and the Go side answered for; the calls still waiting go again below.
    if (!first) for (const [method, args] of this.hooks.restore()) internal(method, args)
    let defaults = this.configDefaults
    const pending = [...this.waiting].filter(([, w]) => w.line).sort(([a], [b]) => a - b)
    for (const [, w] of pending) {
      if (w.method === 'setDefaultProperties') defaults = w.line.slice(w.line.lastIndexOf(US) + 1)
      if (w.entry && w.entry.defaults !== defaults) {
        internal('setDefaultProperties', w.entry.defaults)
        defaults = w.entry.defaults
      }
      lines.push(w.line)
    }
    if (defaults !== this.defaults) internal('setDefaultProperties', this.defaults)
    this.backlog = [] // every line still waiting is in lines
    this.posting = []
    this.ahead = 0
    this.post(lines)
    this.watch()
  }

  // setReports says which reports (REPORT_KINDS) the page listens for: a
  // worker posts only those, each message it saves being a task on the
  // page's main thread. Each worker is told as it is connected, and again
  // when they change. A Go side on the page reports everything.
  setReports(kinds) {
    if (kinds.join() === this.reports.join()) return
    this.reports = kinds
    for (const w of new Set([this.early, this.worker])) {
      if (!w) continue
      try { w.post({ t: 'reports', kinds }) } catch { /* closed: the next worker is told as it connects */ }
    }
  }

  // connect starts the worker the Go side runs in — a dedicated Worker, or
  // a port of the origin's SharedWorker — and returns it as {post(m),
  // end(), listen(onmessage, onerror)}, told the reports the page listens
  // for. end terminates a dedicated Worker; a SharedWorker outlives the
  // page, and is told the page has gone.
  connect(where) {
    const w = this.open(where)
    if (this.reports.length) w.post({ t: 'reports', kinds: this.reports })
    return w
  }

  open(where) {
    if (where === 'worker') {
      const w = new Worker(this.workerUrl)
      return {
        post: (m) => w.postMessage(m),
        end: () => w.terminate(),
        listen: (onmessage, onerror) => { w.onmessage = onmessage; w.onerror = onerror },
      }
    }
    // extendedLifetime: Chromium keeps the worker running for a while after
    // its last page goes, so a send under way finishes and the next page
    // of the visit finds the Go program running. Every page must pass the
    // same value (Chromium refuses a page that does not), so every page
    // passes it. An engine that reads the option has it.
    let extended = false
    const sw = new SharedWorker(this.workerUrl, {
      name: this.sharedName,
      get extendedLifetime() { extended = true; return true },
    })
    this.lifetime = extended ? 'extended' : 'page'
    this.others = 0 // until this worker says
    const port = sw.port
    const tab = tabID()
    if (tab) port.postMessage({ t: 'tab', id: tab })
    return {
      post: (m) => {
        this.sent = Date.now()
        port.postMessage(m)
      },
      end: (drain = false) => {
        try { port.postMessage({ t: 'bye', drain }) } catch { /* closed already */ }
        port.close()
      },
      listen: (onmessage, onerror) => { port.onmessage = onmessage; sw.onerror = onerror },
    }
  }

  // startWorker resolves with the function that posts to w once the Go
  // side there has booted (worker.js has the protocol).
  startWorker(w) {
    return new Promise((resolve, reject) => {
      let booted = false
      const fail = (msg) => {
        if (w !== this.worker) return clearTimeout(timer) // given up on (suspend)
        if (booted) return this.lost(msg)
        clearTimeout(timer)
        w.end()
        reject(new Error(msg))
      }
      const timer = setTimeout(() => fail('no answer in 20 s'), 20000)
      const handle = (m) => {
        switch (m.t) {
          case 'ready':
            clearTimeout(timer)
            booted = true
            Object.assign(this.marks, m.marks)
            this.instance = m.instance
            resolve((text) => w.post(text))
            if (this.where === 'sharedworker') w.post({ t: 'shown', visible: visible() })
            break
          case 'fail': fail(m.message); break
          case 'exit': fail(m.message); break
          case 'done': this.done(m.text); break
          case 'emit': this.event(m.kind, m.detail); break
          case 'peers': this.others = m.others; break
          case 'pong':
            // A page moved to a fresh SharedWorker (WebKit does that when
            // another tab closes) has no SDK there: start one again.
            if (booted && m.instance && m.instance !== this.instance) return this.lost('the shared worker was started again')
            this.heard = Date.now()
            break
          case 'batch':
            for (const x of m.ms) {
              if (w !== this.worker) return // given up on within the batch
              handle(x)
            }
            break
        }
      }
      w.listen((e) => {
        if (w !== this.worker) return // a worker given up on
        handle(e.data)
      }, (e) => {
        e.preventDefault()
        fail(e.message || 'cannot load the worker script')
      })
      // What the worker said after preconnect's question (its answer to
      // hello's join), in order.
      for (const e of (w.heard || []).splice(0)) if (w === this.worker) handle(e.data)
      if (booted) return // joined with the question: nothing to start
      // The worker opens the database while the wasm compiles (worker.js).
      w.post({ t: 'open', db: this.dbName })
      if (this.where === 'sharedworker') return w.post(this.startMessage(this.wasmUrl))
      this.module.then((module) => {
        if (w !== this.worker) return
        try {
          w.post({ wasmUrl: String(this.wasmUrl), module })
        } catch { // a module the engine cannot post: the Worker compiles its own
          w.post({ wasmUrl: String(this.wasmUrl) })
        }
      })
    })
  }

  // watch pings a Worker that has been silent — for PING_AFTER with calls
  // outstanding, for IDLE_PING_AFTER on a visible page without — and gives
  // it up when it stays silent.
  watch() {
    clearTimeout(this.timer)
    if (this.where === 'page' || !this.apply) return
    this.timer = setTimeout(() => {
      if (!this.apply || !this.worker) return // given up on meanwhile
      const now = Date.now()
      const busy = this.waiting.size > 0
      if (this.pinged && this.heard < this.pinged) {
        if (now - this.pinged > DEAD_AFTER) return this.lost('no answer from the worker')
      } else if (busy || visible()) {
        if (busy ? now - this.heard > PING_AFTER : now - Math.min(this.heard, this.sent) > IDLE_PING_AFTER) {
          this.pinged = now
          this.worker.post({ t: 'ping' })
        }
      }
      this.watch()
    }, 1000)
  }

  // suspend ends the Go side in a Worker when the page is hidden for good
  // or for the back/forward cache (pagehide): what the Worker holds then
  // would be held for as long as the page is kept — Firefox freezes a
  // cached page's Worker with its IndexedDB transactions and locks, and
  // every later page of the origin waits on them; WebKit keeps the
  // transactions of a Worker that a navigation ended, but not of one the
  // page terminated. Nothing is lost: what the Go side had not answered for
  // stays with the bridge (journaled, for the calls that make records) and
  // goes to the next Go side — resume's, or the next page's.
  //
  // A SharedWorker outlives the page: it is told the page has gone, and
  // closes the page's SDK — the calls it has not applied are dropped (the
  // page's close path or journal has them), a send under way finishes
  // (sdk.SDK.Close).
  //
  // A SharedWorker that outlives the page (Chromium, extendedLifetime; or
  // pages in other tabs keep it running) is handed every call not posted
  // yet — but those held for the next page of the site — and told to apply
  // them and send what the close path would have (sdk.SDK.Finish): the
  // page sends nothing at close (outlives).
  suspend() {
    // A page that goes before its start: a running worker may have started
    // its SDK on preconnect's question; it ends with the page.
    if (this.early) {
      this.early.end()
      this.early = null
    }
    if (this.where === 'page' || !this.worker) return
    clearTimeout(this.timer)
    if (this.outlives()) {
      if (this.scheduled) this.drain() // calls made in this very task
      if (!this.held) {
        const lines = this.posting
        this.posting = []
        this.post(lines)
        for (const piece of this.backlog.splice(0)) this.apply(piece.join('\n'))
      }
      this.worker.end(true)
      this.drained = true // until resume: what the page made went to the worker
    } else this.worker.end()
    this.worker = null
    this.apply = null
    this.pinged = 0
    this.suspended = true
  }

  // shown tells a SharedWorker running this page's SDK whether the page is
  // shown: it takes a shown page that stays silent for long for gone, as a
  // tab that crashed (worker.js); a hidden one may be silent for ever.
  shown(visible) {
    if (this.where !== 'sharedworker' || !this.apply || !this.worker) return
    try { this.worker.post({ t: 'shown', visible }) } catch { /* closed: the next worker is told as its SDK starts */ }
  }

  // outlives says whether the Go side outlives this page: a running
  // SharedWorker with an extended lifetime, or one that pages of the
  // origin in other tabs keep running (Firefox and WebKit run it while a
  // page is connected; the frames of this tab go with it). The page then
  // leaves what it made to it, and sends nothing at close itself: a send
  // under way there finishes and is answered, where a copy sent by the
  // page would reach the server twice. Should the
  // other tabs go at the same instant, the worker ends with its send, and
  // what it had not delivered is still queued (or journaled) for the next
  // page of the origin: later, not lost.
  outlives() {
    return this.where === 'sharedworker' && (this.lifetime === 'extended' || this.others > 0) && (!!this.apply || this.drained)
  }

  // resume starts a Go side again on a page restored from the
  // back/forward cache (pageshow, persisted).
  resume() {
    if (!this.suspended) return
    this.suspended = false
    this.drained = false
    this.settleHandedOver()
    this.launch(this.where)
  }

  // startup tells where the last start's time went, in ms since configure
  // (or the restart) began it: when the worker was created and its script
  // ran, the wasm compiled (on the page, beside a dedicated Worker's start;
  // in a SharedWorker, there), instantiated, the Go runtime booted, and
  // configure answered; openMs is configure's time opening IndexedDB,
  // openedEarly whether the worker had begun opening it beside the compile. A
  // phase not (yet) reached is absent. joined: the page joined a
  // SharedWorker's Go program that was running already. host is where the
  // Go side runs, hostReason why not where asked, lifetime a SharedWorker's.
  startup() {
    const m = this.marks
    const out = { host: this.where }
    if (this.hostReason) out.hostReason = this.hostReason
    if (this.where === 'sharedworker') out.lifetime = this.lifetime
    if (m.joined) out.joined = true
    for (const k of ['worker', 'script', 'compiled', 'instantiated', 'booted', 'configured']) {
      if (m[k]) out[k] = Math.round((m[k] - m.start) * 10) / 10
    }
    if (m.openMs !== undefined) out.openMs = m.openMs
    if (m.openedEarly) out.openedEarly = true
    return out
  }

  // lost gives up the Go side that was running and starts another: a
  // Worker again, after a delay, a few times; then on the page. storage:
  // its start failed in storage, not in its host.
  lost(reason, storage = false) {
    if (!this.apply) return
    this.apply = null
    clearTimeout(this.timer)
    this.pinged = 0
    if (this.worker) this.worker.end()
    this.worker = null
    const attempt = this.restarts++
    const limit = storage ? STORAGE_RESTARTS : RESTARTS.length
    const next = this.where !== 'page' && attempt < limit ? this.where : 'page'
    if (this.where === 'page' && attempt >= limit) return this.failed(reason)
    if (next === 'page') this.hostReason = `${storage ? 'its start failed in storage' : 'the worker stopped'} ${attempt + 1} times (${reason})`
    this.hooks.report('error', { message: `the SDK stopped (${reason}); restarting it ${next === 'page' ? 'on the page' : 'in a new worker'}`, paused: false })
    setTimeout(() => this.launch(next), RESTARTS[Math.min(attempt, RESTARTS.length - 1)])
  }

  // failed: the Go side cannot run. Every call waiting is rejected; those
  // that make records stay in the journal for a later page.
  failed(reason) {
    this.apply = null
    this.backlog = []
    this.posting = []
    const msg = `the SDK could not start: ${reason}`
    this.hooks.report('error', { message: `${msg}; calls that make records stay in the page's journal and are sent by a later page that loads`, paused: false })
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id)
      w.reject(new Error(w.entry ? `${msg} (the call stays in the page's journal and is sent by a later page that loads)` : msg))
    }
    this.entries.clear()
    this.settleReady.reject(new Error(msg))
  }
}

// visible says whether the page is shown (true where there is no document).
function visible() {
  return typeof document === 'undefined' || document.visibilityState === 'visible'
}

// line is a call as the Go side reads it (internal/bridge):
// id US method US time US key US entry US argument.
function line(c, e) {
  return `${c.id}${US}${c.method}${US}${c.time}${US}${c.key}${US}${e ? e.key : ''}${US}${c.args}`
}

// entryOf returns the journal entry of a line ('' for none).
function entryOf(l) {
  let i = -1
  for (let f = 0; f < 4; f++) i = l.indexOf(US, i + 1)
  return l.slice(i + 1, l.indexOf(US, i + 1))
}
