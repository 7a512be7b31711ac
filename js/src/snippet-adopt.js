// Taking over the calls pages made on the snippet's stub (snippet.js)
// before the SDK loaded.
import { storage } from './journal.js'
import { RECORDS as RECORD_LIST, METHODS, PROPERTIES } from './methods.js'

const PREFIX = 'exponea:s:'
const RECORDS = new Set(RECORD_LIST)

// adoptStub makes the stub's queued calls on the real namespace, in order,
// at the times they were made, settling the Promises the stub returned;
// from then on the stub's client is the real one: every method and
// property of the client (methods.js). Its localStorage copy is
// removed first: the calls are journaled again before this task ends.
export function adoptStub(stub, Exponea) {
  try { storage()?.removeItem(stub.key) } catch {}
  let client = null
  let failure = new Error('Exponea.configure was not called before this call')
  for (const [method, args, time, key, settle] of stub.q) {
    if (method === 'configure') {
      try {
        client = Exponea.configure(args[0], { time, key: key || undefined }) // the page's visit at configure's time, under its id
      } catch (e) {
        failure = e
        stub.client.r[1](e)
      }
      continue
    }
    if (!client) {
      if (settle) settle[1](failure)
      continue
    }
    const p = method === 'on' ? Promise.resolve(client.on(...args)) : client._replay(method, args, { time, key: key || undefined })
    if (settle) p.then(settle[0], settle[1])
  }
  stub.q.length = 0
  if (!client) return
  client.ready.then(stub.client.r[0], stub.client.r[1])
  for (const n of METHODS) stub.client[n] = (...a) => client[n](...a)
  for (const n of PROPERTIES) Object.defineProperty(stub.client, n, { get: () => client[n], configurable: true, enumerable: true })
}

// adoptSnippets hands the records calls other pages queued on a stub — and
// never sent, because the page closed before the SDK arrived — to client,
// if they were for its database (dbName).
export function adoptSnippets(dbName, client) {
  const s = storage()
  if (!s) return
  let keys
  try {
    keys = Object.keys(s).filter((k) => k.startsWith(PREFIX))
  } catch {
    return
  }
  for (const k of keys) {
    let saved
    try {
      saved = JSON.parse(s.getItem(k))
    } catch {
      saved = null
    }
    // {p: [url, referrer, title] of the page, q: calls}; a snippet before
    // page visits saved the calls alone.
    const calls = Array.isArray(saved) ? saved : saved && Array.isArray(saved.q) ? saved.q : null
    if (!calls) {
      s.removeItem(k)
      continue
    }
    const configure = calls.find((c) => c[0] === 'configure')
    const cfg = configure?.[1]?.[0]
    if (!cfg || (cfg.dbName || `exponea:${cfg.projectToken}`) !== dbName) continue // another project's
    s.removeItem(k)
    const p = Array.isArray(saved.p) && typeof saved.p[0] === 'string' ? saved.p : null
    const page = p && { href: p[0], referrer: String(p[1] || ''), title: String(p[2] || '') }
    // The page closed before the SDK arrived: its own visit was never tracked.
    if (page && (cfg.trackPageVisits === true || cfg.trackPageVisits === 'spa')) {
      client._replay('trackPageVisit', [], { time: configure[2], key: configure[3] || undefined, page }).catch(() => {})
    }
    for (const [method, args, time, key] of calls) {
      if (!RECORDS.has(method)) continue
      if (method === 'trackPageVisit' && !page) continue // whose page it was is not known
      client._replay(method, args, { time, key: key || undefined, page }).catch(() => {})
    }
  }
}
