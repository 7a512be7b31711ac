// The page-close path. When the page is hidden or unloaded there is no time
// to ask the Go side (it may be in a Worker) or IndexedDB anything, so the
// loader sends from what it holds itself, with fetch(..., {keepalive: true})
// inside the browser's 64 KiB budget for keepalive bodies in flight:
//
//   - its copy of the records stored and not yet confirmed (the Go side
//     tells it what it stored, _stored, and what is gone, _gone);
//   - the calls made but not yet stored (the bridge's journal): their
//     commands are built here (rules.js, held to the Go side's bytes by the
//     golden tests), with the record ids the Go side will store them under.
//
// Everything sent stays queued until an answer confirms it: the answers the
// page lives to see (a tab switch, the back/forward cache) are handed to
// the Go side (answered), which settles them; the ids sent are reported at
// once (sent) so that the Go side does not send them again meanwhile.
// Whatever does not fit, or whose answer is lost with the page, goes out
// with a later flush or the next visit under the same command ids.
import { BODY_HEAD, BODY_TAIL, MAX_COMMANDS, MIRROR_BYTES } from './constants.gen.js'
import { Builder, utf8Length } from './rules.js'

// KEEPALIVE_BUDGET is the browsers' limit on the bodies of keepalive
// requests in flight at once (Fetch spec, "keepalive"; 64 KiB everywhere).
export const KEEPALIVE_BUDGET = 64 * 1024

// planClose splits records ({id, body, bytes}, oldest first) into request
// bodies: at most maxCommands each, all together at most budget - inFlight
// bytes, consecutive, stopping at the first record that does not fit so the
// records behind it keep their order for the next visit.
export function planClose(records, inFlight, budget = KEEPALIVE_BUDGET, maxCommands = MAX_COMMANDS) {
  const out = []
  let avail = budget - inFlight
  let i = 0
  while (i < records.length) {
    let size = BODY_HEAD.length + BODY_TAIL.length
    const chunk = []
    while (i < records.length && chunk.length < maxCommands) {
      const add = records[i].bytes + (chunk.length ? 1 : 0)
      if (size + add > avail) break
      size += add
      chunk.push(records[i++])
    }
    if (!chunk.length) break
    out.push({ body: BODY_HEAD + chunk.map((r) => r.body).join(',') + BODY_TAIL, ids: chunk.map((r) => r.id), bytes: size })
    avail -= size
    if (chunk.length < maxCommands && i < records.length) break // the next one did not fit
  }
  return out
}

// built returns the records of calls not yet stored ({method, args, timeMs,
// key, defaults}, oldest first) as the Go side will store them, skipping
// those it would refuse and stopping at the first it does not build here
// (anonymize or a session call: the identity after them is the Go side's).
export function built(calls, customerIds, allowDefaultCustomerProperties) {
  const out = []
  let b = null
  for (const c of calls) {
    if (c.method !== 'trackEvent' && c.method !== 'identifyCustomer') break
    if (!b || b.defaultsText !== c.defaults) {
      const ids = b ? `{${[b.cookie, ...b.ids].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}` : customerIds
      b = new Builder({ customerIds: ids, defaultProperties: c.defaults, allowDefaultCustomerProperties })
      b.defaultsText = c.defaults
    }
    try {
      const body = b.build(c)
      out.push({ id: c.key, body, bytes: utf8Length(body) })
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError)) throw e
    }
  }
  return out
}

export class CloseSender {
  // hooks: answered(outcome) hands a keepalive answer to the Go side;
  // sent(ids) tells it which records went out.
  constructor({ answered, sent, allowDefaultCustomerProperties }) {
    this.answered = answered
    this.sentHook = sent
    this.allowDefaults = allowDefaultCustomerProperties
    this.url = ''
    this.customerIds = ''
    this.enabled = true // false while consent is not granted
    this.records = new Map() // id → {id, body, bytes}, oldest first
    this.bytes = 0
    this.sent = new Set() // ids in flight, or sent while the page has been hidden
    this.settled = new Set() // ids in sent whose requests settled while hidden
    this.hidden = false
    this.inFlight = 0
  }

  // stored takes the Go side's lines "seq US id US body".
  stored(text) {
    for (const line of text.split('\n')) {
      const a = line.indexOf('\u001f')
      const b = line.indexOf('\u001f', a + 1)
      if (a < 0 || b < 0) continue
      const id = line.slice(a + 1, b)
      const body = line.slice(b + 1)
      if (this.records.has(id)) continue
      const r = { id, body, bytes: utf8Length(body) }
      this.records.set(id, r)
      this.bytes += r.bytes
    }
    for (const [id, r] of this.records) {
      if (this.bytes <= MIRROR_BYTES) break // the oldest are forgotten (they stay queued)
      this.records.delete(id)
      this.bytes -= r.bytes
    }
  }

  // forget drops the copy: the records were deleted (consent denied).
  forget() {
    this.records.clear()
    this.bytes = 0
  }

  // gone takes ids, one a line, confirmed or given up.
  gone(text) {
    for (const id of text.split('\n')) {
      const r = this.records.get(id)
      if (r) {
        this.records.delete(id)
        this.bytes -= r.bytes
      }
    }
  }

  // kept is what a Go side started again (a page back from the
  // back/forward cache, whose Go side was closed when it was hidden; a
  // restart) takes on, as members of configure's argument: the ids of the
  // copy ("kept"), and of those in requests still in flight ("inFlight").
  // The Go side says which of them are gone meanwhile.
  kept() {
    const inFlight = [...this.sent].filter((id) => !this.settled.has(id))
    return (this.records.size ? `,"kept":${JSON.stringify([...this.records.keys()])}` : '') +
      (inFlight.length ? `,"inFlight":${JSON.stringify(inFlight)}` : '')
  }

  // visible: records sent at close whose requests have settled may be
  // sent again at the next close; those still in flight may not.
  visible() {
    this.hidden = false
    for (const id of this.settled) this.sent.delete(id)
    this.settled.clear()
  }

  // close sends what is unsent: the stored records, then unstored (the
  // bridge's journaled calls not yet stored). It must not wait for anything.
  close(unstored = []) {
    this.hidden = true
    if (!this.url || !this.enabled || globalThis.navigator?.onLine === false) return
    const unsent = []
    for (const r of this.records.values()) if (!this.sent.has(r.id)) unsent.push(r)
    if (unstored.length && this.customerIds) {
      for (const r of built(unstored, this.customerIds, this.allowDefaults)) {
        if (!this.sent.has(r.id) && !this.records.has(r.id)) unsent.push(r)
      }
    }
    const ids = []
    for (const req of planClose(unsent, this.inFlight)) {
      let p
      try {
        p = fetch(this.url, {
          method: 'POST', body: req.body, keepalive: true, credentials: 'omit',
          headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, // no CORS preflight
        })
      } catch (e) {
        console.warn('[exponea] keepalive send failed', e)
        break
      }
      this.inFlight += req.bytes
      for (const id of req.ids) this.sent.add(id)
      ids.push(...req.ids)
      const settle = (outcome) => {
        this.inFlight -= req.bytes
        for (const id of req.ids) {
          if (this.hidden) this.settled.add(id)
          else this.sent.delete(id)
        }
        this.answered({ ids: req.ids, ...outcome })
      }
      p.then((res) => res.text().then((body) => settle({ status: res.status, body })))
        .catch(() => settle({ failed: true }))
    }
    if (ids.length) this.sentHook(ids)
  }
}
