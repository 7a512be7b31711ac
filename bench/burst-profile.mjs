// Reads a burst's trace written by BENCH_TRACE_DUMP and prints what the
// SDK's Worker spent its time on, and its IndexedDB transactions:
//
//   BENCH_BURST_ONLY=1 BENCH_ONLY=this BENCH_RUNS=1 BENCH_TRACE_DUMP=/tmp/t \
//     BENCH_TRACE_CATEGORIES=disabled-by-default-v8.cpu_profiler,IndexedDB bench/run.sh
//   node bench/burst-profile.mjs /tmp/t/this-1.json [top]
//
// With disabled-by-default-v8.cpu_profiler: the Worker's CPU profile, self
// and inclusive time per function (wall time between samples, so a thread
// waiting for a core counts too; function names need a wasm built without
// -s -w). With IndexedDB: the transactions, how long each lived (from
// IDBDatabase.transaction to its complete event handled), and the gaps
// between them (a connection runs one at a time: see idbstore's DB.turn).
import { readFileSync } from 'node:fs'

const events = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const top = Number(process.argv[3]) || 30
const threads = new Map()
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name)
const ms = (us) => (us / 1000).toFixed(1)

// The CPU profile of each DedicatedWorker thread.
const profiles = new Map()
for (const e of events) {
  if (e.name === 'Profile') profiles.set(e.id, { thread: threads.get(`${e.pid}:${e.tid}`) || '', nodes: new Map(), samples: [], deltas: [] })
}
for (const e of events) {
  const p = e.name === 'ProfileChunk' && profiles.get(e.id)
  if (!p) continue
  const d = e.args.data
  for (const n of (d.cpuProfile && d.cpuProfile.nodes) || []) p.nodes.set(n.id, n)
  for (const s of (d.cpuProfile && d.cpuProfile.samples) || []) p.samples.push(s)
  for (const t of d.timeDeltas || []) p.deltas.push(t)
}
for (const p of profiles.values()) {
  if (!p.thread.startsWith('DedicatedWorker')) continue
  const parent = new Map()
  for (const n of p.nodes.values()) {
    for (const c of n.children || []) parent.set(c, n.id)
    if (n.parent) parent.set(n.id, n.parent)
  }
  const name = (n) => n.callFrame.functionName || `(${n.callFrame.url ? 'script' : 'anonymous'})`
  const self = new Map()
  const total = new Map()
  let sum = 0
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.deltas[i + 1] || 0
    const leaf = p.nodes.get(p.samples[i])
    if (!leaf) continue
    sum += dt
    self.set(name(leaf), (self.get(name(leaf)) || 0) + dt)
    const seen = new Set()
    for (let k = leaf.id; k != null; k = parent.get(k)) {
      const n = p.nodes.get(k)
      if (!n) break
      if (!seen.has(name(n))) total.set(name(n), (total.get(name(n)) || 0) + dt)
      seen.add(name(n))
    }
  }
  const idle = self.get('(idle)') || 0
  console.log(`${p.thread}: ${p.samples.length} samples over ${ms(sum)} ms, ${ms(sum - idle)} ms not idle`)
  for (const [title, m] of [['self', self], ['inclusive', total]]) {
    console.log(`  ${title}:`)
    for (const [f, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${ms(t).padStart(8)} ms ${((100 * t) / sum).toFixed(1).padStart(5)}%  ${f}`)
    }
  }
}

// IndexedDB transactions (the IndexedDB category's Transaction::lifetime).
const open = new Map()
const spans = []
for (const e of events) {
  if (e.name !== 'Transaction::lifetime') continue
  const k = e.id2 ? JSON.stringify(e.id2) : e.id
  if (e.ph === 'b') open.set(k, e.ts)
  else if (e.ph === 'e' && open.has(k)) { spans.push([open.get(k), e.ts]); open.delete(k) }
}
if (spans.length) {
  spans.sort((a, b) => a[0] - b[0])
  const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]
  const life = spans.map(([a, b]) => b - a).sort((a, b) => a - b)
  const gaps = spans.slice(1).map(([a], i) => a - spans[i][1]).sort((a, b) => a - b)
  const sumOf = (xs) => xs.reduce((a, b) => a + b, 0)
  console.log(`IndexedDB: ${spans.length} transactions over ${ms(spans[spans.length - 1][1] - spans[0][0])} ms; ` +
    `lifetime p50 ${ms(q(life, 0.5))} ms, p90 ${ms(q(life, 0.9))} ms, sum ${ms(sumOf(life))} ms; ` +
    `gaps between them p50 ${ms(q(gaps, 0.5))} ms, sum ${ms(sumOf(gaps))} ms`)
  const ops = new Map()
  for (const e of events) {
    if (e.ph !== 'X' || !e.cat || !e.cat.includes('IndexedDB') || !/Operation$|Setup$/.test(e.name)) continue
    ops.set(e.name, (ops.get(e.name) || 0) + 1)
  }
  console.log('  requests: ' + [...ops].map(([k, n]) => `${k} ×${n}`).join(', '))
}
