import { toJSON, requireObject } from './json.js'
import { CloseSender } from './close.js'
import { FLUSH_MODES, SENDS_ON_HIDE, MIN_FLUSH_PERIOD_MS, MAX_FLUSH_PERIOD_MS, REPORT_KINDS } from './constants.gen.js'

// Client is the object Exponea.configure resolves to. Methods that store or
// send return Promises; the getters of settings are synchronous and read a
// copy kept here.
export class Client {
  constructor(bridge, state) {
    this._bridge = bridge
    this._mode = state.flushMode
    this._period = state.flushPeriod
    this._defaults = state.defaultProperties
    this._handlers = new Map(REPORT_KINDS.map((t) => [t, new Set()]))
    /** Where the queue lives: 'indexeddb', or 'memory' when IndexedDB is unavailable. */
    this.storage = state.storage
    /** Where the SDK's Go side runs: 'worker', or 'page' when a Worker could not be started. */
    this.runsIn = bridge.where
    bridge.listeners = (type, detail) => {
      for (const fn of this._handlers.get(type) || []) {
        try { fn(detail) } catch (e) { console.error('[exponea] an event handler threw', e) }
      }
    }
    this._watchPage(state.closeUrl)
  }

  // _watchPage tells the Go side when the page is shown or hidden, and sends
  // what is unsent when the page is hidden or unloaded (close.js). There is
  // no unload listener: it would keep the page out of the back/forward cache.
  _watchPage(closeUrl) {
    const bridge = this._bridge
    const closer = new CloseSender((outcome) => bridge.tell('_keepaliveDone', JSON.stringify(outcome)))
    closer.url = closeUrl
    bridge.attach((kind, text) => {
      if (kind === '_stored') closer.stored(text)
      else if (kind === '_gone') closer.gone(text)
    })
    const report = (visible) => bridge.tell('_page', JSON.stringify({ ...pageState(), visible }))
    // The page's own view of the network decides: a Worker's navigator.onLine
    // is not always kept in step with it.
    addEventListener('online', () => report(document.visibilityState !== 'hidden'))
    addEventListener('offline', () => report(document.visibilityState !== 'hidden'))
    const hidden = () => {
      if (SENDS_ON_HIDE.includes(this._mode)) closer.close()
      report(false)
    }
    addEventListener('pagehide', hidden)
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') return hidden()
      closer.visible()
      report(true)
    })
    addEventListener('pageshow', (e) => {
      if (!e.persisted) return // the first load: configure reported the page
      closer.visible()
      report(document.visibilityState !== 'hidden')
    })
  }

  _call(method, argsJSON) { return this._bridge.call(method, argsJSON) }

  /** Tracks an event; resolves once it is durably queued. */
  trackEvent(event) {
    try {
      requireObject('trackEvent', 'event', event)
      return this._call('trackEvent', toJSON('trackEvent', 'event', event))
    } catch (e) { return Promise.reject(e) }
  }

  /** Merges customer ids and queues a customer update. */
  identifyCustomer(customer) {
    try {
      requireObject('identifyCustomer', 'customer', customer)
      return this._call('identifyCustomer', toJSON('identifyCustomer', 'customer', customer))
    } catch (e) { return Promise.reject(e) }
  }

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

  _session(method, options) {
    try {
      if (options === undefined) return this._call(method)
      requireObject(method, 'options', options)
      return this._call(method, toJSON(method, 'options', options))
    } catch (e) { return Promise.reject(e) }
  }

  /** The customer's cookie (a UUID). */
  getCustomerCookie() { return this._call('getCustomerCookie') }

  /** Replaces the properties merged under every event's. */
  setDefaultProperties(properties) {
    requireObject('setDefaultProperties', 'properties', properties)
    const text = toJSON('setDefaultProperties', 'properties', properties)
    this._defaults = JSON.parse(text)
    return this._call('setDefaultProperties', text)
  }

  /** A copy of the default properties. */
  getDefaultProperties() { return JSON.parse(JSON.stringify(this._defaults)) }

  setFlushMode(mode) {
    if (!FLUSH_MODES.includes(mode)) {
      throw new RangeError(`setFlushMode: flushMode must be one of ${FLUSH_MODES.map((m) => `'${m}'`).join(', ')}`)
    }
    this._mode = mode
    return this._call('setFlushMode', JSON.stringify(mode))
  }

  getFlushMode() { return this._mode }

  /** Sets the period of the 'period' flush mode, in milliseconds. */
  setFlushPeriod(ms) {
    if (typeof ms !== 'number') throw new TypeError('setFlushPeriod: period must be a number of milliseconds')
    if (!(ms >= MIN_FLUSH_PERIOD_MS && ms <= MAX_FLUSH_PERIOD_MS)) {
      throw new RangeError(`setFlushPeriod: period must be between ${MIN_FLUSH_PERIOD_MS} and ${MAX_FLUSH_PERIOD_MS}`)
    }
    this._period = ms
    return this._call('setFlushPeriod', String(ms))
  }

  getFlushPeriod() { return this._period }

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
    return () => set.delete(fn)
  }

  off(type, fn) { this._handlers.get(type)?.delete(fn) }
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
