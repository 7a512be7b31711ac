// The page-close path. When the page is hidden or unloaded there is no time
// to ask the Go side (it may be in a Worker) or IndexedDB anything, so the
// loader keeps a copy of the records not yet confirmed — the Go side tells
// it what was stored (_stored) and what is gone (_gone) — and sends them with
// fetch(..., {keepalive: true}) inside the browser's 64 KiB budget for
// keepalive bodies in flight. The records stay queued until an answer
// confirms them: here, if the page lives on (_keepaliveDone), else on the
// next visit, where the collector's command_id dedupe keeps delivery
// exactly-once.

import { BODY_HEAD, BODY_TAIL, MAX_COMMANDS, MIRROR_BYTES } from './constants.gen.js'

// KEEPALIVE_BUDGET is the browsers' limit on the bodies of keepalive
// requests in flight at once (Fetch spec, "keepalive"; 64 KiB everywhere).
export const KEEPALIVE_BUDGET = 64 * 1024

// utf8Length counts the UTF-8 bytes of s, which is what the budget counts
// (a lone surrogate is sent as U+FFFD, three bytes).
export function utf8Length(s) {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

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

export class CloseSender {
  // report(outcome) hands a keepalive answer back to the Go side.
  constructor(report) {
    this.report = report
    this.url = ''
    this.records = new Map() // id → {id, body, bytes}, oldest first
    this.bytes = 0
    this.sent = new Set() // ids sent since the page was last visible
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

  // visible: records sent at close and not confirmed may be sent again.
  visible() { this.sent.clear() }

  // close sends what is unsent; it must not wait for anything.
  close() {
    if (!this.url || globalThis.navigator?.onLine === false) return
    const unsent = []
    for (const r of this.records.values()) if (!this.sent.has(r.id)) unsent.push(r)
    for (const req of planClose(unsent, this.inFlight)) {
      let p
      try {
        p = fetch(this.url, {
          method: 'POST', body: req.body, keepalive: true, credentials: 'omit',
          headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, // no CORS preflight
        })
      } catch (e) {
        console.warn('[exponea] keepalive send failed', e)
        return
      }
      this.inFlight += req.bytes
      for (const id of req.ids) this.sent.add(id)
      const settle = (outcome) => {
        this.inFlight -= req.bytes
        this.report({ ids: req.ids, ...outcome })
      }
      p.then((res) => res.text().then((body) => settle({ status: res.status, body })))
        .catch(() => settle({ failed: true }))
    }
  }
}
