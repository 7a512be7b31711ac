// Counting helpers for the reliability suite: what the collector stored for
// one scenario's event type, and how its counters moved.
//
// Every event a scenario tracks has a unique integer `properties.seq` and
// the scenario's own event type, so the SDK's installation / session events
// never enter the counts.

// storedRows reads every stored event of eventType, page by page (the read
// API returns at most 10,000 rows a call). Bounded: at most 50 pages.
export async function storedRows(collector, eventType) {
  const rows = []
  let after = 0
  for (let page = 0; page < 50; page++) {
    const batch = await collector.events(`event_type=${encodeURIComponent(eventType)}&after_id=${after}`)
    rows.push(...batch)
    if (batch.length < 10000) break
    after = batch[batch.length - 1].id
  }
  return rows
}

// distinctSeqs returns the set of seq values among rows.
export function distinctSeqs(rows) {
  const seqs = new Set()
  for (const r of rows) {
    const seq = r.properties && r.properties.seq
    if (Number.isInteger(seq)) seqs.add(seq)
  }
  return seqs
}

// batchRequests is the number of tracking requests that were not CORS
// preflights: all requests the collector counted minus its 204s.
export function batchRequests(stats) {
  return stats.requests - (stats.requests_by_status['204'] || 0)
}

// tally turns what the scenario tracked, what the SDK reported dropped and
// what the collector holds into the report's counts.
//
//   tracked              trackEvent calls that resolved (durably queued)
//   stored               distinct tracked seq values stored at the collector
//   drops                drop reports the SDK emitted for event records
//   lost                 tracked − stored − drops
//   duplicatesReceived   delta of the collector's duplicates_received
//                        (the dedupe caught a re-send: harmless)
//   duplicatesStored     stored rows − distinct seq (a re-send the dedupe
//                        missed: a failure)
//   requests             delta of tracking requests minus preflights
export function tally({ trackedSeqs, rows, drops, before, after }) {
  const seqs = distinctSeqs(rows)
  let stored = 0
  let unexpected = 0
  for (const s of seqs) {
    if (trackedSeqs.has(s)) stored++
    else unexpected++ // stored, but its trackEvent call did not resolve
  }
  const eventDrops = drops.filter((d) => d.kind === 'event').length
  return {
    tracked: trackedSeqs.size,
    stored,
    drops: eventDrops,
    lost: trackedSeqs.size - stored - eventDrops,
    duplicatesReceived: after.duplicates_received - before.duplicates_received,
    duplicatesStored: rows.length - seqs.size,
    requests: batchRequests(after) - batchRequests(before),
    unexpected,
  }
}

// missing lists up to max tracked seq values the collector does not hold,
// for the report's notes.
export function missing(trackedSeqs, rows, max = 10) {
  const seqs = distinctSeqs(rows)
  const out = []
  for (const s of trackedSeqs) {
    if (!seqs.has(s)) out.push(s)
    if (out.length >= max) break
  }
  return out
}
