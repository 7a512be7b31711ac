// Kit: what one reliability scenario drives the SDK with — browser contexts
// and pages it cleans up, tracking with unique seq numbers it remembers,
// drop / error reports it collects, and bounded waits for delivery. It
// drives the browser through the harness's engine interface
// (../engines/index.mjs), so each scenario runs unchanged in every engine.
import { rm } from 'node:fs/promises'
import { config, bounded } from '../harness.mjs'
import { storedRows, distinctSeqs, tally, missing } from './count.mjs'

const isBatch = (r) => r.method === 'POST' && r.url.includes('/batch')

export class Aborted extends Error {
  constructor() { super('scenario aborted (timed out)') }
}

export class Kit {
  constructor({ id, eventType, collector, pages, browser, quick }) {
    this.id = id
    this.eventType = eventType
    this.collector = collector
    this.pages = pages
    this.browser = browser
    this.quick = quick
    this.trackedSeqs = new Set()
    this.nextSeq = 0
    this.drops = []
    this.errors = [] // SDK 'error' reports (retries, backoff): informational
    this.rejected = [] // trackEvent calls that rejected
    this.failures = [] // scenario-specific checks that failed
    this.notes = []
    this.startRestarts = 0 // see configure
    this.console = new Set() // distinct console warnings / errors / page errors
    this.contexts = []
    this.tabs = [] // every page opened, for harvest()
    this.aborted = false
    this.timers = new Set()
    this.collectorLog = [] // the collector's stderr, every run of it (report.json)
    this.watchCollector()
    this.t0 = Date.now()
    this.timeline = [] // [ms since start, label]: where the time went (report.json)
  }

  // watchCollector keeps the collector's stderr, now and after every
  // restart (start() is wrapped on this instance; kill() calls start()).
  watchCollector() {
    const c = this.collector
    const attach = () => c.proc && c.proc.stderr.on('data', (d) => {
      for (const line of String(d).split('\n')) if (line.trim() && this.collectorLog.length < 50) this.collectorLog.push(line.slice(0, 300))
    })
    attach()
    const start = c.start.bind(c)
    c.start = async () => { const r = await start(); attach(); return r }
  }

  step(label) { this.timeline.push([Date.now() - this.t0, label]) }

  // abort stops the scenario: every later kit call throws, every sleep ends.
  abort() {
    this.aborted = true
    for (const t of this.timers) { clearTimeout(t.id); t.reject(new Aborted()) }
    this.timers.clear()
  }

  check() { if (this.aborted) throw new Aborted() }

  sleep(ms) {
    this.check()
    return new Promise((resolve, reject) => {
      const t = { reject }
      t.id = setTimeout(() => { this.timers.delete(t); resolve() }, ms)
      this.timers.add(t)
    })
  }

  note(s) { this.notes.push(s) }
  fail(s) { this.failures.push(s) }

  cfg(extra = {}) { return config(this.collector, extra) }

  // context makes a browser context (a fresh profile).
  async context() {
    this.check()
    const ctx = await this.browser.newContext()
    this.contexts.push(ctx)
    return ctx
  }

  // closeContexts closes contexts of the scenario before its end.
  async closeContexts(ctxs) {
    this.contexts = this.contexts.filter((c) => !ctxs.includes(c))
    await Promise.all(ctxs.map((c) => bounded(c.close(), 5000)))
  }

  // open loads the test page (with the preludes named, see startPages) in
  // a new tab of ctx and, with cfg, configures the SDK there
  // (window.exponea).
  async open(ctx, cfg, { prelude = [] } = {}) {
    this.check()
    const page = await ctx.newPage()
    this.tabs.push(page)
    await page.goto(this.pages.url + '/' + (prelude.length ? `?prelude=${prelude.join(',')}` : ''))
    this.step('page loaded')
    if (cfg) await this.configure(page, cfg)
    return page
  }

  // configure starts the SDK on page (again after a reload) and keeps its
  // drop and error reports in the page (window.__rel) for harvest(); it
  // returns exponea.storage.
  async configure(page, cfg) {
    this.check()
    const started = await page.evaluate(async (cfg) => {
      const { Exponea } = await import('/dist/exponea.mjs')
      // Listening before the start, so that what made it start again is seen.
      const client = Exponea.configure(cfg)
      window.__rel = { drops: [], errors: [] }
      client.on('drop', (e) => window.__rel.drops.push(e))
      client.on('error', (e) => window.__rel.errors.push(e))
      window.exponea = await client
      const restarts = window.exponea._bridge.restarts
      return { storage: window.exponea.storage, restarts, why: restarts ? window.__rel.errors.map((e) => e.message) : [], runsIn: window.exponea.runsIn }
    }, cfg)
    // Go sides started again before configure answered (a start that
    // failed for storage): the report tells how often, and why.
    this.startRestarts += started.restarts
    if (started.restarts) this.step(`started again ${started.restarts} times, running in ${started.runsIn}: ${started.why.join(' | ')}`)
    this.step(`configured (${started.storage}${started.restarts ? `, after ${started.restarts} restarts` : ''})`)
    return started.storage
  }

  // harvest moves the drop and error reports, console warnings and errors
  // and uncaught errors the open pages have collected since the last
  // harvest into the kit. Reports of a page closed before a harvest are not
  // seen: a drop report missed that way counts as a loss (never hides one).
  async harvest() {
    for (const page of this.tabs) {
      if (page.isClosed()) continue
      let got
      try {
        got = await page.evaluate(() => {
          const r = window.__rel
          const o = window.__e2e
          return {
            drops: r ? r.drops.splice(0) : [],
            errors: r ? r.errors.splice(0) : [],
            console: o ? o.console.splice(0) : [],
            pageErrors: o ? o.errors.splice(0) : [],
          }
        })
      } catch { continue } // mid-navigation or gone
      this.drops.push(...got.drops)
      this.errors.push(...got.errors)
      for (const m of got.console) if (this.console.size < 20) this.console.add(`${m.type}: ${m.text}`.slice(0, 200))
      for (const e of got.pageErrors) if (this.console.size < 20) this.console.add(`pageerror (${e.where}): ${e.message}`.slice(0, 200))
    }
  }

  // reload reloads page after a harvest; the caller configures it again.
  async reload(page) {
    this.check()
    await this.harvest()
    await page.reload()
  }

  // close closes page now, as a tab the user closes, without a harvest
  // first (the scenarios close right after tracking).
  async close(page) {
    this.check()
    await page.close()
  }

  // track asks the SDK on page to track n events of the scenario's type,
  // each with a fresh seq, chunk calls at a time (each chunk awaited before
  // the next). Only calls that resolved count as tracked.
  async track(page, n, { chunk = n, step = true } = {}) {
    this.check()
    const from = this.nextSeq
    this.nextSeq += n
    let failed
    try {
      failed = await page.evaluate(async ({ name, from, n, chunk }) => {
        const failed = []
        for (let c = 0; c < n; c += chunk) {
          const ps = []
          for (let i = c; i < Math.min(n, c + chunk); i++) {
            const seq = from + i
            ps.push(window.exponea.trackEvent({ name, properties: { seq } }).then(() => null, (e) => ({ seq, error: `${e && e.name}: ${e && e.message}` })))
          }
          for (const r of await Promise.all(ps)) if (r) failed.push(r)
        }
        return failed
      }, { name: this.eventType, from, n, chunk })
    } catch (e) {
      // The page went away mid-call: which calls resolved is unknown, so
      // none of them counts as tracked (any that arrive show as unexpected).
      this.note(`track(${n}) interrupted: ${e.message.split('\n')[0]}`)
      return 0
    }
    if (step) this.step(`tracked ${n}`)
    const bad = new Set(failed.map((f) => f.seq))
    for (let i = 0; i < n; i++) if (!bad.has(from + i)) this.trackedSeqs.add(from + i)
    this.rejected.push(...failed)
    return n - failed.length
  }

  // fire makes n trackEvent calls in one task without awaiting them, as a
  // page does before it navigates away; with cfg it configures the SDK in
  // the same task first. Every call returned, so every one counts as
  // tracked: the SDK owns it.
  async fire(page, n, cfg) {
    this.check()
    const from = this.nextSeq
    this.nextSeq += n
    await page.evaluate(async ({ name, from, n, cfg }) => {
      if (cfg) {
        if (!window.Exponea) window.Exponea = (await import('/dist/exponea.mjs')).Exponea
        window.exponea = window.Exponea.configure(cfg)
      }
      for (let i = 0; i < n; i++) window.exponea.trackEvent({ name, properties: { seq: from + i } })
    }, { name: this.eventType, from, n, cfg })
    for (let i = 0; i < n; i++) this.trackedSeqs.add(from + i)
  }

  // storedCount is how many of the tracked events the collector holds.
  async storedCount() {
    const { seqs } = await this.stored()
    let have = 0
    for (const s of seqs) if (this.trackedSeqs.has(s)) have++
    return have
  }

  queueLength(page) { return page.evaluate(() => window.exponea.getQueueLength()) }

  // flushAll calls flushData until the queue is empty (at most tries times).
  async flushAll(page, tries = 5) {
    for (let i = 0; i < tries; i++) {
      this.check()
      const r = await page.evaluate(() => window.exponea.flushData())
      if (r.kept === 0) return r
      await this.sleep(500)
    }
    this.note(`flushData left records queued after ${tries} calls`)
  }

  // idle waits until every page's queue is empty (the SDK's own
  // installation / session events delivered), at most timeout ms.
  async idle(pages, timeout = 10000) {
    const end = Date.now() + timeout
    while (Date.now() < end) {
      const lens = await Promise.all(pages.map((p) => this.queueLength(p)))
      if (lens.every((n) => n === 0)) { this.step('queues empty'); return true }
      await this.sleep(100)
    }
    return false
  }

  // firstBatch resolves with the first page among pages (or its Worker)
  // that sends a POST to the batch endpoint from now on, or null after
  // timeout ms. It polls the pages' observers.
  async firstBatch(pages, timeout = 10000) {
    const since = Date.now()
    const end = since + timeout
    while (Date.now() < end && !this.aborted) {
      let first = null
      for (const page of pages) {
        const reqs = await page.requests().catch(() => [])
        const at = Math.min(...reqs.filter((r) => isBatch(r) && r.at >= since).map((r) => r.at))
        if (at < Infinity && (!first || at < first.at)) first = { page, at }
      }
      if (first) return first.page
      await new Promise((r) => setTimeout(r, 50))
    }
    return null
  }

  // inFlight resolves true as soon as a POST to the batch endpoint that one
  // of pages (or its Worker) made at or after since is on the wire (not
  // answered and not failed), or false after timeout ms.
  async inFlight(pages, since, timeout = 10000) {
    const end = Date.now() + timeout
    while (Date.now() < end && !this.aborted) {
      for (const page of pages) {
        const reqs = await page.requests().catch(() => [])
        if (reqs.some((r) => isBatch(r) && r.at >= since && r.status === null && r.error === null)) return true
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    return false
  }

  // stored reads the collector: rows of the scenario's type and the
  // distinct seq values among them.
  async stored() {
    const rows = await storedRows(this.collector, this.eventType)
    return { rows, seqs: distinctSeqs(rows) }
  }

  // delivered waits (at most timeout ms) until every tracked event is
  // stored or reported dropped, then until the live pages' queues are empty
  // (so re-sends of confirmed records have happened), then quietMs more so
  // a late duplicate would show. It never throws on a timeout: the counts
  // tell what was missing.
  async delivered(livePages = [], { timeout = 30000, quietMs = this.quick ? 400 : 1500 } = {}) {
    const end = Date.now() + timeout
    let have = -1
    while (true) {
      this.check()
      await this.harvest()
      const { seqs } = await this.stored()
      have = 0
      for (const s of seqs) if (this.trackedSeqs.has(s)) have++
      const drops = this.drops.filter((d) => d.kind === 'event').length
      if (have + drops >= this.trackedSeqs.size) { this.step(`all ${have} stored + ${drops} dropped`); break }
      if (Date.now() > end) {
        this.note(`timed out after ${timeout / 1000} s waiting for delivery: ${have} stored + ${drops} dropped of ${this.trackedSeqs.size}`)
        await this.noteRequests(livePages)
        return false
      }
      await this.sleep(250)
    }
    const open = livePages.filter((p) => !p.isClosed())
    if (open.length && !(await this.idle(open, Math.max(2000, end - Date.now())))) {
      const lens = await Promise.all(open.map((p) => this.queueLength(p).catch(() => '?')))
      this.note(`queue not empty after delivery: ${lens.join(', ')}`)
    }
    await this.sleep(quietMs)
    return true
  }

  // noteRequests notes the last batch requests each live page (and its
  // Worker) made, ms since the scenario started: what a stalled delivery
  // was doing.
  async noteRequests(pages) {
    for (const [i, page] of pages.entries()) {
      if (page.isClosed()) continue
      const reqs = (await page.requests().catch(() => [])).filter(isBatch)
      const last = reqs.slice(-6).map((r) => `${r.where}${r.keepalive ? ' keepalive' : ''} at ${r.at - this.t0} → ${r.status ?? r.error ?? 'no answer'}${r.answeredAt ? ` at ${r.answeredAt - this.t0}` : ''}`)
      this.note(`page ${i}: ${reqs.length} batch requests; the last: ${last.join('; ') || 'none'}`)
    }
  }

  // counts tallies the scenario against the collector's counters taken
  // before it started (this.before, set by the runner; see count.mjs).
  async counts(before = this.before) {
    if (!this.collector.running()) await this.collector.start() // e.g. it errored mid-outage
    await this.harvest()
    const { rows } = await this.stored()
    const after = await this.collector.stats()
    const c = tally({ trackedSeqs: this.trackedSeqs, rows, drops: this.drops, before, after })
    if (c.lost > 0) this.note(`missing seq (first ${Math.min(10, c.lost)}): ${missing(this.trackedSeqs, rows).join(', ')}`)
    if (c.unexpected > 0) this.note(`${c.unexpected} stored events whose trackEvent did not resolve`)
    if (this.rejected.length) this.note(`${this.rejected.length} trackEvent calls rejected, e.g. ${this.rejected[0].error}`)
    return { ...c, statuses: statusDelta(before, after) }
  }

  // cleanup closes the scenario's contexts and collector, each bounded.
  async cleanup() {
    this.abort()
    await Promise.all(this.contexts.map((c) => bounded(c.close(), 5000)))
    if (this.collector.running()) await bounded(this.collector.close(), 10000)
    else if (this.collector.dir) await rm(this.collector.dir, { recursive: true, force: true })
  }
}

// statusDelta is how many tracking requests got each status during the
// scenario (preflights, "204", left out).
function statusDelta(before, after) {
  const out = {}
  for (const [k, v] of Object.entries(after.requests_by_status)) {
    const d = v - (before.requests_by_status[k] || 0)
    if (d > 0 && k !== '204') out[k] = d
  }
  return out
}
