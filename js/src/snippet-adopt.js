// Taking over the calls pages made on the snippet's stub (snippet.js)
// before the SDK loaded.
import { storage } from './journal.js'

const PREFIX = 'exponea:s:'
const RECORDS = new Set(['trackEvent', 'identifyCustomer', 'anonymize', 'trackSessionStart', 'trackSessionEnd'])

// adoptStub makes the stub's queued calls on the real namespace, in order,
// at the times they were made, settling the Promises the stub returned;
// from then on the stub's client is the real one. Its localStorage copy is
// removed first: the calls are journaled again before this task ends.
export function adoptStub(stub, Exponea) {
  try { storage()?.removeItem(stub.key) } catch {}
  let client = null
  let failure = new Error('Exponea.configure was not called before this call')
  for (const [method, args, time, key, settle] of stub.q) {
    if (method === 'configure') {
      try {
        client = Exponea.configure(args[0])
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
  for (const n of Object.keys(stub.client)) {
    if (typeof client[n] === 'function' && n[0] !== '_') stub.client[n] = (...a) => client[n](...a)
  }
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
    let calls
    try {
      calls = JSON.parse(s.getItem(k))
    } catch {
      calls = null
    }
    if (!Array.isArray(calls)) {
      s.removeItem(k)
      continue
    }
    const cfg = calls.find((c) => c[0] === 'configure')?.[1]?.[0]
    if (!cfg || (cfg.dbName || `exponea:${cfg.projectToken}`) !== dbName) continue // another project's
    s.removeItem(k)
    for (const [method, args, time, key] of calls) {
      if (RECORDS.has(method)) client._replay(method, args, { time, key: key || undefined }).catch(() => {})
    }
  }
}
