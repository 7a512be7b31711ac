import { toJSON, requireObject } from './json.js'
import { CloseSender } from './close.js'
import { Bridge } from './bridge.js'
import { runGo, compileWasm } from './load.js'
import { storage } from './journal.js'
import { watchLeaving } from './leave.js'
import { visitProperties, watchRoutes } from './visits.js'
import { scheduleStart } from './start.js'
import { CloseInfo, sendsBeforeStart } from './closeinfo.js'
import { SDK_VERSION, FLUSH_MODES, SENDS_ON_HIDE, MIN_FLUSH_PERIOD_MS, MAX_FLUSH_PERIOD_MS, REPORT_KINDS } from './constants.gen.js'

// Client is what Exponea.configure returns, at once: every method works
// from the first instant (calls are journaled and handed to the Go side
// when it has started); `ready` says when it has. Methods that store or
// send return Promises; the getters of settings are synchronous and read
// the page's own copy.
// LEAVE_HOLD_MS: how long calls stay on a page that started to leave for
// another page of the site; if it is still there then (the navigation was
// cancelled, or a download), they go to the Go side.
const LEAVE_HOLD_MS = 10000

export class Client {
  // cfg is the configuration as rules.checkConfig returns it; configText
  // its JSON text; urls {wasm, worker} (worker '' for none); visit, the
  // {time, key} of the page's visit when the snippet's stub was configured.
  constructor(cfg, configText, urls, visit = {}) {
    // What changes lives in _s: the client may be used through its view
    // (what awaiting it gives), whose own properties would shadow its.
    this._s = {
      mode: cfg.flushMode, period: cfg.flushPeriodMs, defaults: cfg.defaultProperties, consent: cfg.consent,
      storage: undefined, runsIn: undefined,
    }
    // The view has no then (nor catch, finally): a thenable that resolved
    // to itself could never be awaited.
    this._view = Object.create(this, { then: { value: undefined }, catch: { value: undefined }, finally: { value: undefined } })
    // Debugging: the configuration's debug, or a switch a production page
    // can set from the console: localStorage['exponea:debug'] = '1'.
    const debugSwitch = !cfg.debug && storage()?.getItem('exponea:debug') === '1'
    this._debug = cfg.debug || debugSwitch
    this._handlers = new Map(REPORT_KINDS.map((t) => [t, new Set()]))
    this._closer = new CloseSender({
      allowDefaultCustomerProperties: cfg.allowDefaultCustomerProperties,
      answered: (outcome) => this._bridge.tell('_keepaliveDone', JSON.stringify(outcome)),
      sent: (ids) => this._bridge.tell('_closeSent', JSON.stringify(ids)),
    })
    // Until the Go side answers configure, the close path sends with what
    // the last page was told (closeinfo.js).
    this._closeInfo = new CloseInfo(cfg)
    const known = this._closeInfo.read()
    if (known) {
      this._closer.url = known.url
      this._closer.customerIds = known.ids
    }
    this._closer.enabled = sendsBeforeStart(cfg.consent, known)
    this._bridge = new Bridge({
      db: cfg.dbName,
      defaults: cfg.defaultProperties,
      runGo,
      compile: compileWasm,
      host: cfg.host,
      // Pages of another SDK version, or another configuration of where the
      // files are, must not share its Go program.
      sharedName: `exponea ${SDK_VERSION} ${urls.wasm}`,
      hooks: {
        report: (kind, detail) => this._report(kind, detail),
        configured: (state) => {
          this._s.storage = state.storage
          this._s.runsIn = this._bridge.where
          this._closer.url = state.closeUrl
          this._closer.customerIds = state.customerIds
          this._closer.enabled = state.consent === 'granted'
          this._closeInfo.save({ url: state.closeUrl, ids: state.customerIds, consent: state.consent })
        },
        restore: () => [['setFlushMode', JSON.stringify(this._s.mode)], ['setFlushPeriod', String(this._s.period)]],
      },
    })
    this._wanted()
    // The start waits for the page's own content unless start is 'eager'
    // (start.js); calls made meanwhile are journaled, and handed over then.
    this._configuredAt = performance.now()
    this._waited = undefined
    /** Resolves once the SDK has started and its queue is open; rejects with the reason if it cannot start (calls then stay journaled for a later page). */
    this.ready = new Promise((resolve, reject) => {
      let now = true // begun in configure's own call: waited nothing
      let begun = false
      const begin = () => {
        if (begun) return
        begun = true
        this._waited = now ? 0 : Math.round((performance.now() - this._configuredAt) * 10) / 10
        this._bridge.start(urls.wasm, urls.worker,
          () => `{"config":${configText},"page":${JSON.stringify(pageState())}${debugSwitch ? ',"debug":true' : ''}${this._closer.kept()}}`)
          .then(resolve, reject)
      }
      // A page that finds the origin's SharedWorker running (another tab, or
      // the last page of the visit, is still there) joins it at once: there
      // is nothing to download, so nothing to wait for.
      if (cfg.start !== 'eager') this._bridge.preconnect(urls.worker, urls.wasm).then((running) => { if (running) begin() })
      scheduleStart(cfg.start, begin)
      now = false
    })
    this.ready.catch(() => {}) // reported through on('error') as well
    this._watchPage()
    // The page's visit, journaled in this task like every call: a page
    // that navigates away at once keeps it.
    this._referrer = document.referrer
    if (cfg.trackPageVisits) this._visit(undefined, this._page(), { time: visit.time, key: visit.key })
    if (cfg.trackPageVisits === 'spa') this._watchRoutes(cfg.trackHashChanges)
  }

  // _watchRoutes tracks a visit for every route of a single-page app
  // (visits.js), with the previous route as its referrer. The visit is
  // tracked in the next task, once the app has had the task of the route
  // change to set the title.
  _watchRoutes(hashes) {
    watchRoutes((href, referrer) => {
      this._referrer = referrer
      const time = performance.timeOrigin + performance.now()
      setTimeout(() => this._visit(undefined, { href, referrer, title: document.title }, { time }), 0)
    }, { hashes })
  }

  // _page is the page as a visit tracked now describes it.
  _page() { return { href: location.href, referrer: this._referrer, title: document.title } }

  // _visit tracks the page_visit of page {href, referrer, title}, with
  // properties over the page's; opts as _record's.
  _visit(properties, page, opts) {
    const m = 'trackPageVisit'
    try {
      if (properties !== undefined) requireObject(m, 'properties', properties)
      return this._call('trackEvent', toJSON(m, 'visit', { name: 'page_visit', properties: { ...visitProperties(page), ...properties } }), opts)
    } catch (e) { return Promise.reject(e) }
  }

  /** Tracks a page_visit of the page as it is now (location, path, title, referrer, campaign parameters), with properties over those; resolves once it is durably queued. */
  trackPageVisit(properties) { return this._visit(properties, this._page()) }

  /** Where the queue lives: 'indexeddb', or 'memory' when IndexedDB is unavailable; undefined until ready. */
  get storage() { return this._s.storage }

  /** Where the SDK's Go side runs: 'sharedworker' (one Go program for the origin's pages), 'worker' (a dedicated Worker) or 'page'; startup.hostReason says why not where asked; undefined until ready. */
  get runsIn() { return this._s.runsIn }

  /** Where the SDK's start-up time went: waited (ms from configure until the start began), then {worker, script, compiled, instantiated, booted, configured, openMs} in ms since the start began (see exponea.d.ts). */
  get startup() { return this._waited === undefined ? {} : { waited: this._waited, ...this._bridge.startup() } }

  // The client chains like a Promise of the ready client: awaiting it,
  // then, catch and finally all wait for ready.

  /** Awaiting the client waits for ready and gives the client. */
  then(ok, fail) { return this.ready.then(() => this._view).then(ok, fail) }

  /** Runs fail if the SDK cannot start; a Promise, as Promise.prototype.catch. */
  catch(fail) { return this.then(undefined, fail) }

  /** Runs fn once the start has settled either way; a Promise, as Promise.prototype.finally. */
  finally(fn) { return this.then().finally(fn) }

  _report(kind, detail) {
    if (this._debug && kind[0] !== '_') console.log(`[exponea] ${kind}`, detail)
    switch (kind) {
      case '_stored': return this._closer.stored(detail)
      case '_gone': return this._closer.gone(detail)
      case '_identity':
        this._closer.customerIds = detail
        if (this._s.consent !== 'denied') this._closeInfo.save({ ids: detail })
        return
      case '_consent':
        this._s.consent = detail
        this._closer.enabled = detail === 'granted'
        this._closeInfo.save({ consent: detail })
        if (detail === 'denied') {
          this._closer.forget()
          this._bridge.forget()
        }
        return
    }
    for (const fn of this._handlers.get(kind) || []) {
      try { fn(detail) } catch (e) { console.error('[exponea] an event handler threw', e) }
    }
  }

  // _watchPage tells the Go side when the page is shown or hidden, and sends
  // what is unsent when the page is hidden or unloaded (close.js). There is
  // no unload listener: it would keep the page out of the back/forward cache.
  _watchPage() {
    // hostSends: the Go side outlives the page and sends, when it is hidden,
    // what the close path would have; the page then sends nothing itself.
    const report = (visible) => {
      this._bridge.shown(visible)
      this._bridge.tell('_page', JSON.stringify({ ...pageState(), visible, hostSends: this._bridge.outlives() }))
    }
    // The page's own view of the network decides: a Worker's navigator.onLine
    // is not always kept in step with it.
    addEventListener('online', () => report(document.visibilityState !== 'hidden'))
    addEventListener('offline', () => report(document.visibilityState !== 'hidden'))
    const hidden = () => {
      if (SENDS_ON_HIDE.includes(this._s.mode) && !this._bridge.held && !this._bridge.outlives()) this._closer.close(this._bridge.unstored())
      report(false)
    }
    addEventListener('pagehide', () => {
      hidden()
      this._bridge.suspend()
    })
    // Leaving for another page of the site, the calls stay on the page,
    // journaled, for the next page to hand over and send: sent from here
    // too they would reach the server twice (leave.js).
    watchLeaving(() => this._bridge.hold(LEAVE_HOLD_MS), () => this._bridge.release())
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') return hidden()
      this._closer.visible()
      report(true)
    })
    addEventListener('pageshow', (e) => {
      if (!e.persisted) return // the first load: configure reported the page
      this._bridge.release() // back, from the back/forward cache
      this._bridge.resume()
      this._closer.visible()
      report(document.visibilityState !== 'hidden')
    })
  }

  _call(method, argsJSON, opts) {
    if (this._debug) console.log(`[exponea] ${method}`, argsJSON === undefined ? '' : argsJSON)
    return this._bridge.call(method, argsJSON, opts)
  }

  // _record calls a method whose argument is an object (trackEvent,
  // identifyCustomer); opts {time, key} for calls made before the SDK
  // loaded.
  _record(method, root, value, opts) {
    try {
      requireObject(method, root, value)
      return this._call(method, toJSON(method, root, value), opts)
    } catch (e) { return Promise.reject(e) }
  }

  /** Tracks an event; resolves once it is durably queued. */
  trackEvent(event) { return this._record('trackEvent', 'event', event) }

  /** Merges customer ids and queues a customer update. */
  identifyCustomer(customer) { return this._record('identifyCustomer', 'customer', customer) }

  /**
   * Starts fresh as a new customer: ends the session, makes a new cookie,
   * forgets the customer ids, tracks installation (and session_start with
   * automatic sessions). Every tab of the site switches. Records queued
   * before keep their customer and are still delivered.
   */
  anonymize() { return this._call('anonymize') }

  /** Starts a session by hand (automaticSessionTracking: false). */
  trackSessionStart(options) { return this._session('trackSessionStart', options) }

  /** Ends the session by hand (automaticSessionTracking: false). */
  trackSessionEnd(options) { return this._session('trackSessionEnd', options) }

  _session(method, options, opts) {
    try {
      if (options === undefined) return this._call(method, undefined, opts)
      requireObject(method, 'options', options)
      return this._call(method, toJSON(method, 'options', options), opts)
    } catch (e) { return Promise.reject(e) }
  }

  // _replay makes a call the snippet queued before the SDK loaded, at the
  // time it was made and under the record id it was given; a visit
  // queued by another page is that page's (opts.page).
  _replay(method, args, opts) {
    switch (method) {
      case 'trackPageVisit': return this._visit(args[0], opts.page || this._page(), opts)
      case 'trackEvent': return this._record(method, 'event', args[0], opts)
      case 'identifyCustomer': return this._record(method, 'customer', args[0], opts)
      case 'anonymize': return this._call(method, undefined, opts)
      case 'trackSessionStart': case 'trackSessionEnd': return this._session(method, args[0], opts)
    }
    try { return Promise.resolve(this[method](...args)) } catch (e) { return Promise.reject(e) }
  }

  /** The customer's cookie (a UUID); '' while consent is denied. */
  getCustomerCookie() { return this._call('getCustomerCookie') }

  /** The visitor gave consent: everything kept is sent, and what follows. Every tab, and later pages, follow. */
  grantConsent() {
    this._closer.enabled = true // the close path follows at once (the Go side may not have started)
    return this._call('grantConsent')
  }

  /** The visitor refused or withdrew consent: the queue, the cookie and the ids are deleted in every tab; later calls are dropped with a drop report. */
  revokeConsent() {
    this._closer.enabled = false
    this._closeInfo.remove()
    return this._call('revokeConsent')
  }

  /** 'granted', 'pending' or 'denied', as the SDK last said (the configured one until ready). */
  getConsent() { return this._s.consent }

  /** Replaces the properties merged under every event's. */
  setDefaultProperties(properties) {
    requireObject('setDefaultProperties', 'properties', properties)
    const text = toJSON('setDefaultProperties', 'properties', properties)
    this._s.defaults = text
    this._bridge.defaults = text
    return this._call('setDefaultProperties', text)
  }

  /** A copy of the default properties. */
  getDefaultProperties() { return JSON.parse(this._s.defaults) }

  setFlushMode(mode) {
    if (!FLUSH_MODES.includes(mode)) {
      throw new RangeError(`setFlushMode: flushMode must be one of ${FLUSH_MODES.map((m) => `'${m}'`).join(', ')}`)
    }
    this._s.mode = mode
    return this._call('setFlushMode', JSON.stringify(mode))
  }

  getFlushMode() { return this._s.mode }

  /** Sets the period of the 'period' flush mode, in milliseconds. */
  setFlushPeriod(ms) {
    if (typeof ms !== 'number') throw new TypeError('setFlushPeriod: period must be a number')
    if (!(ms >= MIN_FLUSH_PERIOD_MS && ms <= MAX_FLUSH_PERIOD_MS)) {
      throw new RangeError(`setFlushPeriod: period must be between ${MIN_FLUSH_PERIOD_MS} and ${MAX_FLUSH_PERIOD_MS}`)
    }
    this._s.period = ms
    return this._call('setFlushPeriod', String(ms))
  }

  getFlushPeriod() { return this._s.period }

  /** Sends everything queued now, in any flush mode. */
  flushData() { return this._call('flushData') }

  /** How many records wait in the queue. */
  getQueueLength() { return this._call('getQueueLength') }

  /** Queue length and bytes, records given up since configure, storage kind. */
  getStats() { return this._call('getStats') }

  /** Subscribes to 'flush', 'error' or 'drop' reports; returns an unsubscribe function. */
  on(type, fn) {
    const set = this._handlers.get(type)
    if (!set) throw new RangeError(`on: type must be one of ${REPORT_KINDS.join(', ')}`)
    if (typeof fn !== 'function') throw new TypeError('on: listener must be a function')
    set.add(fn)
    this._wanted()
    return () => this.off(type, fn)
  }

  off(type, fn) {
    this._handlers.get(type)?.delete(fn)
    this._wanted()
  }

  // _wanted tells the bridge which reports the page listens for: those
  // with a listener, or all in debug mode, which logs them.
  _wanted() {
    this._bridge.setReports(this._debug ? [...REPORT_KINDS] : REPORT_KINDS.filter((k) => this._handlers.get(k).size > 0))
  }
}

// pageState is what the Go side needs to know of the page and cannot see
// from a Worker.
export function pageState() {
  return {
    url: location.href,
    referrer: document.referrer,
    visible: document.visibilityState !== 'hidden',
    online: navigator.onLine !== false,
    screenWidth: screen.width,
    screenHeight: screen.height,
  }
}
