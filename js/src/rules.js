// The tracker's rules (internal/tracker) as the page needs them: the
// configuration is validated at once, in configure, so that bad config
// throws where it is written; and the commands of calls the SDK has not yet
// stored are built here for the page-close path, with the ids, default
// properties and record ids the SDK would use. js/test/golden.test.mjs holds
// this file to the golden cases internal/tracker writes from what the Go
// code does, byte for byte: the two cannot drift apart unnoticed.
import {
  FLUSH_MODES, MIN_FLUSH_PERIOD_MS, MAX_FLUSH_PERIOD_MS, MAX_DEPTH, MAX_VALUE_BYTES, MAX_COMMAND_BYTES,
  MIN_TIMESTAMP, MAX_TIMESTAMP, MAX_SESSION_TIMEOUT_S, MAX_FLUSH_RETRIES, MAX_MAX_QUEUE_RECORDS,
  MIN_MAX_QUEUE_BYTES, MAX_MAX_QUEUE_BYTES, CONSENTS,
} from './constants.gen.js'

// utf8Length counts the UTF-8 bytes of s, which is what size limits count
// (a lone surrogate is sent as U+FFFD, three bytes, as TextEncoder writes
// it). Natively: the page counts every record the SDK stores (close.js), and
// a loop over each character of each body was, after the third event, hot
// enough for V8 to optimize it — starting its optimizing compiler in every
// tab that tracks, ~3 MB of resident memory each, where the page's own code
// had not (issue 23).
const encoder = new TextEncoder()
export function utf8Length(s) {
  return encoder.encode(s).length
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

// deeper reports whether v nests more than limit containers deep.
function deeper(v, limit) {
  if (v === null || typeof v !== 'object') return limit < 0
  if (limit < 1) return true
  for (const k in v) if (deeper(v[k], limit - 1)) return true
  return false
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/

// label names a member in a message: its name, or, when it holds a lone
// surrogate, the escaped form the page wrote.
const label = (k) => (loneSurrogate.test(k) ? JSON.stringify(k).slice(1, -1) : k)

// members checks a call's (or the configuration's) argument: an object,
// nested at most MAX_DEPTH+1 deep, so that a member nested too deeply is
// named when it is checked itself.
function members(method, field, v) {
  if (deeper(v, MAX_DEPTH + 1)) throw new RangeError(`${method}: ${field} is nested more than ${MAX_DEPTH - 1} levels deep`)
  if (!isObject(v)) throw new TypeError(`${method}: ${field} must be an object`)
  return v
}

// props checks a properties object (absent or null: none) and returns its
// members as [name, JSON text] pairs, in order.
function props(method, field, v) {
  if (v === undefined || v === null) return []
  if (deeper(v, MAX_DEPTH)) throw new RangeError(`${method}: ${field} is nested more than ${MAX_DEPTH - 1} levels deep`)
  if (!isObject(v)) throw new TypeError(`${method}: ${field} must be an object`)
  const out = []
  for (const k of Object.keys(v)) {
    const text = JSON.stringify(v[k])
    const n = utf8Length(text)
    if (n > MAX_VALUE_BYTES) {
      throw new RangeError(`${method}: ${field}.${label(k)} is ${n} bytes encoded, over the 16 KB limit for a value`)
    }
    out.push([k, text])
  }
  return out
}

// ids checks identifyCustomer's ids.
function ids(method, v) {
  const out = props(method, 'ids', v)
  for (const [k, text] of out) {
    if (k === '') throw new TypeError(`${method}: ids must not have an empty key`)
    if (k === 'cookie') throw new TypeError(`${method}: ids.cookie is managed by the SDK; call anonymize() for a new customer`)
    if (!(text.length > 2 && text[0] === '"')) throw new TypeError(`${method}: ids.${label(k)} must be a non-empty string`)
  }
  return out
}

function timestamp(method, v, def) {
  if (v === null) return def
  if (typeof v !== 'number') throw new TypeError(`${method}: timestamp must be a number of seconds since the Unix epoch`)
  if (!(v > MIN_TIMESTAMP && v <= MAX_TIMESTAMP)) {
    throw new RangeError(`${method}: timestamp must be seconds since the Unix epoch, between ${MIN_TIMESTAMP} and ${MAX_TIMESTAMP}`)
  }
  return v
}

// merge returns base overridden and extended by over: base's members keep
// their order with over's values where the names meet, then over's new
// members follow (default properties under an event's; stored ids under
// identifyCustomer's). On pairs, not objects: an object would move names
// that are array indices to the front.
function merge(base, over) {
  const out = base.slice()
  for (const [k, v] of over) {
    let i = base.length - 1
    while (i >= 0 && out[i][0] !== k) i--
    if (i >= 0) out[i] = [k, v]
    else out.push([k, v])
  }
  return out
}

const object = (pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`

const pairsOf = (text) => {
  const o = JSON.parse(text)
  return Object.keys(o).map((k) => [k, JSON.stringify(o[k])])
}

function checkSize(method, arg, body) {
  const n = utf8Length(body)
  if (n > MAX_COMMAND_BYTES) throw new RangeError(`${method}: ${arg} is ${n} bytes encoded, over the 800 KB limit for a command`)
}

// Builder builds the commands of calls in order, as the SDK would store
// them: state is {customerIds, defaultProperties (JSON texts),
// allowDefaultCustomerProperties}. build returns a call's command, or
// throws the error the SDK would answer with; an identifyCustomer that
// passes merges its ids into the ones later calls carry.
export class Builder {
  constructor({ customerIds, defaultProperties, allowDefaultCustomerProperties }) {
    const all = pairsOf(customerIds)
    this.cookie = all[0] // the cookie comes first
    this.ids = all.slice(1)
    this.defaults = pairsOf(defaultProperties)
    this.allowDefaults = allowDefaultCustomerProperties
  }

  // build takes a call: {method, args (JSON text), timeMs, key}.
  build({ method, args, timeMs, key }) {
    if (method === 'trackEvent') return this.event(JSON.parse(args), timeMs, key)
    if (method === 'identifyCustomer') return this.customer(JSON.parse(args), key)
    throw new TypeError(`${method}: method is not a method of the tracker`)
  }

  event(args, timeMs, key) {
    const m = 'trackEvent'
    members(m, 'event', args)
    let name
    let own = []
    let ts = timeMs / 1000
    for (const k of Object.keys(args)) {
      const v = args[k]
      if (k === 'name') {
        if (!(typeof v === 'string' && v !== '')) throw new TypeError(`${m}: name must be a non-empty string`)
        name = v
      } else if (k === 'properties') own = props(m, 'properties', v)
      else if (k === 'timestamp') ts = timestamp(m, v, ts)
    }
    if (name === undefined) throw new TypeError(`${m}: name must be a non-empty string`)
    const body = `{"name":"customers/events","command_id":${JSON.stringify(key)},"data":{"customer_ids":${object([this.cookie, ...this.ids])},` +
      `"event_type":${JSON.stringify(name)},"timestamp":${String(ts)},"properties":${object(merge(this.defaults, own))}}}`
    checkSize(m, 'event', body)
    return body
  }

  customer(args, key) {
    const m = 'identifyCustomer'
    members(m, 'customer', args)
    let add = []
    let own = []
    for (const k of Object.keys(args)) {
      if (k === 'ids') add = ids(m, args[k])
      else if (k === 'properties') own = props(m, 'properties', args[k])
    }
    const merged = merge(this.ids, add)
    const properties = this.allowDefaults ? merge(this.defaults, own) : own
    const body = `{"name":"customers","command_id":${JSON.stringify(key)},"data":{"customer_ids":${object([this.cookie, ...merged])},` +
      `"properties":${object(properties)}}}`
    checkSize(m, 'customer', body)
    this.ids = merged
    return body
  }
}

// The configuration's fields: [check, …bounds]. null values are skipped,
// as if absent; unknown fields are ignored.
const str = (m, k, v) => { if (typeof v !== 'string') throw new TypeError(`${m}: ${k} must be a string`); return v }
const bool = (m, k, v) => { if (typeof v !== 'boolean') throw new TypeError(`${m}: ${k} must be a boolean`); return v }
const num = (m, k, v, lo, hi) => {
  if (typeof v !== 'number') throw new TypeError(`${m}: ${k} must be a number`)
  if (v < lo || v > hi) throw new RangeError(`${m}: ${k} must be between ${lo} and ${hi}`)
  return v
}
const whole = (m, k, v, lo, hi) => {
  num(m, k, v, lo, hi)
  if (Math.trunc(v) !== v) throw new TypeError(`${m}: ${k} must be a whole number`)
  return v
}
const fields = {
  projectToken: str, authorization: str, baseUrl: str, dbName: str,
  flushMode: (m, k, v) => {
    str(m, k, v)
    if (!FLUSH_MODES.includes(v)) throw new RangeError(`${m}: flushMode must be one of ${FLUSH_MODES.map((x) => `'${x}'`).join(', ')}`)
    return v
  },
  defaultProperties: (m, k, v) => object(props(m, k, v)),
  automaticSessionTracking: bool, allowDefaultCustomerProperties: bool, manualSessionAutoClose: bool,
  sessionTimeout: (m, k, v) => num(m, k, v, 0, MAX_SESSION_TIMEOUT_S),
  flushPeriod: (m, k, v) => num(m, k, v, MIN_FLUSH_PERIOD_MS, MAX_FLUSH_PERIOD_MS),
  maxQueueRecords: (m, k, v) => whole(m, k, v, 1, MAX_MAX_QUEUE_RECORDS),
  maxQueueBytes: (m, k, v) => whole(m, k, v, MIN_MAX_QUEUE_BYTES, MAX_MAX_QUEUE_BYTES),
  flushMaxRetries: (m, k, v) => whole(m, k, v, 1, MAX_FLUSH_RETRIES),
  consent: (m, k, v) => {
    str(m, k, v)
    if (!CONSENTS.includes(v)) throw new RangeError(`${m}: consent must be one of ${CONSENTS.map((x) => `'${x}'`).join(', ')}`)
    return v
  },
  debug: bool,
  // The loader's own: page visits (visits.js); the Go side ignores them.
  trackPageVisits: (m, k, v) => {
    if (v === true || v === false || v === 'spa') return v
    if (typeof v === 'string') throw new RangeError(`${m}: trackPageVisits must be true, false or 'spa'`)
    throw new TypeError(`${m}: trackPageVisits must be true, false or 'spa'`)
  },
  trackHashChanges: bool,
}

// CONFIG_FIELDS names every field of the configuration: those checked here
// and the loader's (where the wasm and the Worker are).
export const CONFIG_FIELDS = [...Object.keys(fields), 'wasmUrl', 'workerUrl', 'worker']

// checkConfig validates configure's argument as parsed from its JSON text
// and returns what the loader keeps of it: {projectToken, authorization,
// baseUrl, dbName, flushMode, flushPeriodMs, defaultProperties (text),
// allowDefaultCustomerProperties, consent, debug, trackPageVisits,
// trackHashChanges}. It throws a TypeError or RangeError as
// the SDK would answer.
export function checkConfig(config) {
  const m = 'configure'
  members(m, 'config', config)
  const c = {
    projectToken: '', authorization: '', baseUrl: 'https://api.exponea.com', dbName: '', flushMode: FLUSH_MODES[0],
    flushPeriod: 3600000, defaultProperties: '{}', allowDefaultCustomerProperties: true, consent: CONSENTS[0], debug: false,
    trackPageVisits: false, trackHashChanges: false,
  }
  for (const k of Object.keys(config)) {
    const v = config[k]
    if (v === null || !fields[k]) continue
    c[k] = fields[k](m, k, v)
  }
  if (c.projectToken === '') throw new TypeError(`${m}: projectToken must be a non-empty string`)
  if (/[/?#%]/.test(c.projectToken)) throw new TypeError(`${m}: projectToken must not contain '/', '?', '#' or '%'`)
  c.baseUrl = c.baseUrl.replace(/\/+$/, '')
  if (!c.baseUrl.startsWith('https://') && !c.baseUrl.startsWith('http://')) throw new TypeError(`${m}: baseUrl must be an http(s) URL`)
  if (c.dbName === '') c.dbName = `exponea:${c.projectToken}`
  return {
    projectToken: c.projectToken, authorization: c.authorization, baseUrl: c.baseUrl, dbName: c.dbName, flushMode: c.flushMode,
    flushPeriodMs: c.flushPeriod, defaultProperties: c.defaultProperties, allowDefaultCustomerProperties: c.allowDefaultCustomerProperties,
    consent: c.consent, debug: c.debug, trackPageVisits: c.trackPageVisits, trackHashChanges: c.trackHashChanges,
  }
}
