// What the close path needs from the Go side — the URL it sends to, the
// customer's ids (the cookie among them) and the consent — kept in the
// page's localStorage by the last page whose Go side answered configure.
// The SDK starts after the page's content (start.js), so a tab may close
// before its Go side has ever answered: the close path then sends the
// journaled calls with what the last page was told. Without it (the first
// page of the first visit, or another configuration) there is no cookie to
// send them under, and the next page that starts sends them.
//
// Kept per database, for one configuration: the URL depends on baseUrl,
// projectToken and authorization, and is used only while they are the same.
// The ids are the visitor's, as IndexedDB keeps them; with consent denied
// nothing is kept.
import { storage } from './journal.js'

export class CloseInfo {
  // cfg is the configuration as rules.checkConfig returns it.
  constructor(cfg, store = storage()) {
    this.key = `exponea:c:${cfg.dbName}`
    this.for = `${cfg.baseUrl}\n${cfg.projectToken}\n${cfg.authorization}`
    this.store = store
    this.value = null // {url, ids, consent}, as last saved or read
  }

  // read returns {url, ids, consent} as a page of this configuration last
  // saved it, or null.
  read() {
    try {
      const v = JSON.parse(this.store?.getItem(this.key) || 'null')
      if (!v || v.for !== this.for || typeof v.url !== 'string' || typeof v.ids !== 'string' || typeof v.consent !== 'string') return null
      this.value = { url: v.url, ids: v.ids, consent: v.consent }
      return this.value
    } catch {
      return null
    }
  }

  // save merges part ({url, ids, consent}) into what is kept; consent
  // 'denied' removes it all. What is kept already is not written again:
  // every page of a visit is told the same at its start (the consent,
  // configure's answer), and each write fires a storage event in every
  // other tab of the origin.
  save(part) {
    if (part.consent === 'denied') return this.remove()
    this.value = { url: '', ids: '', consent: '', ...this.value, ...part }
    try {
      const text = JSON.stringify({ for: this.for, ...this.value })
      if (this.store && this.store.getItem(this.key) !== text) this.store.setItem(this.key, text)
    } catch {} // full: the next page sends what this one could not
  }

  remove() {
    this.value = null
    try {
      this.store?.removeItem(this.key)
    } catch {}
  }
}

// sendsBeforeStart says whether the close path may send before the Go side
// has answered configure: a decision made in configure's configuration
// holds (the Go side stores it), a pending one defers to the decision the
// last page was told.
export function sendsBeforeStart(configured, known) {
  if (configured !== 'pending') return configured === 'granted'
  return !!known && known.consent === 'granted'
}
