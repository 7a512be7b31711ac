// The channel to the Go side, which runs in a dedicated Worker when it can
// (the page's main thread then pays only for serializing calls and posting
// them) and on the page otherwise. Calls made in one task cross together at
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
// side runs on the page.
const PING_AFTER = 2000
const DEAD_AFTER = 4000
const RESTARTS = [250, 1000, 4000]
// The most calls with the Go side and not yet answered (see post).
const AHEAD = 2 * MAX_CALLS_PER_APPLY

export class Bridge {
  // hooks: {report(kind, detail) for every report (the loader's own start
  // with '_'), configured(state) for every configure answer, restore() the
  // [method, args] calls that bring a restarted Go side to the page's
  // settings}. defaults is the default properties' JSON text; runGo starts
  // the Go side on the page and compile compiles the wasm (load.js).
  constructor({ db, defaults, hooks, runGo, compile }) {
    this.hooks = hooks
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
    this.where = '' // 'worker' or 'page'
    this.worker = null
    this.restarts = 0
    this.handovers = 0 // Go sides brought up to the page (handOver)
    this.suspended = false
    this.pageRuns = 0 // Go sides started on the page
    this.heard = 0 // when the Go side was last heard from
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
    this.launch(workerUrl && typeof Worker === 'function' ? 'worker' : 'page')
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

  // launch starts the Go side where, and hands it everything outstanding.
  // The wasm is compiled on the page from the start, beside the Worker's own
  // start, and posted to it (or used on the page); a restart reuses it.
  async launch(where) {
    this.where = where
    this.marks = { start: epochNow() }
    if (!this.module) this.module = this.compile(this.wasmUrl).catch(() => null) // the Worker tries again, and says why
    const marks = this.marks
    this.module.then((m) => { if (m) marks.compiled = epochNow() })
    try {
      if (where === 'worker') {
        this.worker = new Worker(this.workerUrl)
        this.marks.worker = epochNow()
        this.apply = await this.startWorker(this.worker)
      } else {
        // A Go side on the page given up on (its configure failed) cannot
        // be stopped; what it still says is not heard.
        const gen = ++this.pageRuns
        const live = () => gen === this.pageRuns
        const module = await this.module
        this.apply = await this.runGo(this.wasmUrl, {
          done: (text) => live() && this.done(text),
          emit: (kind, detail) => live() && this.event(kind, detail),
          exit: (message) => live() && this.lost(message),
        }, { module, marks: this.marks })
      }
    } catch (e) {
      this.worker = null
      const msg = e && e.message ? e.message : String(e)
      if (where === 'worker') {
        console.warn(`[exponea] running on the page: the worker did not start (${msg})`)
        return this.launch('page')
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
      if (r.e) return errorClasses[r.e.c] ? this.failed(r.e.m) : this.lost(`configure: ${r.e.m}`)
      marks.configured = epochNow()
      marks.openMs = r.v && r.v.openMs
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

  // startWorker resolves with the function that posts to w once the Go
  // side there has booted (worker.js has the protocol).
  startWorker(w) {
    return new Promise((resolve, reject) => {
      let booted = false
      const fail = (msg) => {
        if (w !== this.worker) return clearTimeout(timer) // given up on (suspend)
        if (booted) return this.lost(msg)
        clearTimeout(timer)
        w.terminate()
        reject(new Error(msg))
      }
      const timer = setTimeout(() => fail('no answer in 20 s'), 20000)
      w.onerror = (e) => {
        e.preventDefault()
        fail(e.message || 'cannot load the worker script')
      }
      const handle = (m) => {
        switch (m.t) {
          case 'ready':
            clearTimeout(timer)
            booted = true
            Object.assign(this.marks, m.marks)
            resolve((text) => w.postMessage(text))
            break
          case 'fail': fail(m.message); break
          case 'exit': fail(m.message); break
          case 'done': this.done(m.text); break
          case 'emit': this.event(m.kind, m.detail); break
          case 'pong': this.heard = Date.now(); break
          case 'batch':
            for (const x of m.ms) {
              if (w !== this.worker) return // given up on within the batch
              handle(x)
            }
            break
        }
      }
      w.onmessage = (e) => {
        if (w !== this.worker) return // a worker given up on
        handle(e.data)
      }
      this.module.then((module) => {
        if (w !== this.worker) return
        try {
          w.postMessage({ wasmUrl: String(this.wasmUrl), module })
        } catch { // a module the engine cannot post: the Worker compiles its own
          w.postMessage({ wasmUrl: String(this.wasmUrl) })
        }
      })
    })
  }

  // watch pings a Worker that has calls outstanding and has been silent,
  // and gives it up when it stays silent.
  watch() {
    clearTimeout(this.timer)
    if (this.where !== 'worker' || !this.apply) return
    this.timer = setTimeout(() => {
      const now = Date.now()
      if (this.waiting.size === 0) this.pinged = 0
      else if (this.pinged && this.heard < this.pinged && now - this.pinged > DEAD_AFTER) return this.lost('no answer from the worker')
      else if (!this.pinged || this.heard >= this.pinged) {
        if (now - this.heard > PING_AFTER) {
          this.pinged = now
          this.worker.postMessage({ t: 'ping' })
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
  suspend() {
    if (this.where !== 'worker' || !this.worker) return
    clearTimeout(this.timer)
    this.worker.terminate()
    this.worker = null
    this.apply = null
    this.pinged = 0
    this.suspended = true
  }

  // resume starts a Go side again on a page restored from the
  // back/forward cache (pageshow, persisted).
  resume() {
    if (!this.suspended) return
    this.suspended = false
    this.settleHandedOver()
    this.launch('worker')
  }

  // startup tells where the last start's time went, in ms since configure
  // (or the restart) began it: when the Worker was created and its script
  // ran, the wasm compiled (on the page, beside the Worker's start),
  // instantiated, the Go runtime booted, and configure answered; openMs is
  // configure's time opening IndexedDB. A phase not (yet) reached is absent.
  startup() {
    const m = this.marks
    const out = {}
    for (const k of ['worker', 'script', 'compiled', 'instantiated', 'booted', 'configured']) {
      if (m[k]) out[k] = Math.round((m[k] - m.start) * 10) / 10
    }
    if (m.openMs !== undefined) out.openMs = m.openMs
    return out
  }

  // lost gives up the Go side that was running and starts another: a
  // Worker again, after a delay, a few times; then on the page.
  lost(reason) {
    if (!this.apply) return
    this.apply = null
    clearTimeout(this.timer)
    this.pinged = 0
    if (this.worker) this.worker.terminate()
    this.worker = null
    const attempt = this.restarts++
    const next = this.where === 'worker' && attempt < RESTARTS.length ? 'worker' : 'page'
    if (this.where === 'page' && attempt >= RESTARTS.length) return this.failed(reason)
    this.hooks.report('error', { message: `the SDK stopped (${reason}); restarting it ${next === 'worker' ? 'in a new worker' : 'on the page'}`, paused: false })
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
