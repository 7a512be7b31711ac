// Turns the per-run measurements into bench/results/latest.{json,md,svg}:
// medians over runs, the targets met or missed, and a hand-written SVG chart.
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'

const cpus = availableParallelism()

const FIELDS = ['ready_ms', 'longest_task_ms', 'track_us_p50', 'track_us_p99', 'track_total_us', 'track_cpu_us', 'track_cpu_main_us', 'track_cpu_worker_us', 'track_cpu_pool_us', 'burst_ms', 'burst_requests', 'burst_bytes', 'burst_delivered']
const THIS_FIELDS = ['durable_ms_p50', 'burst_durable_ms', 'wasm_memory_mb_100k']

// median of the runs that gave a figure; null when none did.
function median(xs) {
  const s = xs.filter((x) => x != null && !Number.isNaN(x)).sort((a, b) => a - b)
  if (!s.length) return null
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

// A run whose burst did not all arrive has no burst time: it counts as
// infinitely slow, so the median is a time only if most runs delivered all.
function medianBurst(xs) {
  const s = xs.map((x) => (x == null ? Infinity : x)).sort((a, b) => a - b)
  if (!s.length) return null
  const m = s.length >> 1
  const v = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
  return Number.isFinite(v) ? v : null
}

const round = (x, d = 2) => (x == null ? null : Math.round(x * 10 ** d) / 10 ** d)

// The SDK under test's start-up, phase by phase, in ms since its script was
// added, not counting the wait for the page: the loader's time until
// configure was called, then client.startup's marks (ms since the start
// began, after waiting for the page's load and an idle period) after it.
// waited and openMs are durations (the wait; configure's time opening
// IndexedDB); ready is the measured ready_ms (the wait taken out).
export const PHASES = [
  ['loader', 'loader: script added → `Exponea.configure` called (download, parse, evaluation)'],
  ['waited', 'then waited for the page (load event, idle period; `start: \'idle\'`): a duration, not in the phases below nor in ready'],
  ['worker', 'Worker created'],
  ['script', 'Worker script running'],
  ['compiled', 'wasm fetched + compiled (on the page, beside the Worker\'s start)'],
  ['instantiated', 'instantiated (in the Worker)'],
  ['booted', 'Go runtime up (booted)'],
  ['configured', 'configure answered'],
  ['ready', 'ready (`configure`\'s Promise resolved: `ready ms`)'],
  ['openMs', 'of which IndexedDB open (`openMs`, a duration inside configure)'],
]
function phasesAt(ready_ms, st) {
  if (!st) return null
  const at = { loader: st.loader, waited: st.waited, ready: ready_ms, openMs: st.openMs }
  for (const k of ['worker', 'script', 'compiled', 'instantiated', 'booted', 'configured']) at[k] = st[k] != null && st.loader != null ? st.loader + st[k] : null
  return at
}
function breakdown(list) {
  const xs = list.filter(Boolean)
  if (!xs.length) return null
  const out = {}
  for (const [k] of PHASES) out[k] = round(median(xs.map((x) => x[k])), 1)
  out.runs = xs.length
  return out
}

// contentFigures: the page-content runs of one page ([{image_ms, load_ms,
// delivered, delivered_ms}]) as medians; delivered is the fewest events
// any run delivered (3 is all, every run).
function contentFigures(xs) {
  if (!xs || !xs.length) return null
  const inf = (v) => (v == null ? Infinity : v) // a run that never loaded is slowest
  const med = (f) => { const v = median(xs.map((x) => inf(x[f]))); return Number.isFinite(v) ? round(v, 0) : null }
  const d = xs.map((x) => x.delivered)
  return {
    runs: xs.length, image_ms: med('image_ms'), load_ms: med('load_ms'),
    delivered: d.every((v) => v == null) ? null : Math.min(...d.map((v) => v ?? 0)),
    delivered_ms: d.every((v) => v === 3) ? round(median(xs.map((x) => x.delivered_ms)), 0) : null,
  }
}

export function aggregate({ runs, sdks, sizeOf, perRun, floor, trickle = {}, tabMem = {}, content = {}, visits = {} }) {
  const results = []
  const baseline = contentFigures(content.none)
  let thisExtra = null
  for (const sdk of sdks) {
    const rs = perRun.get(sdk.name) || []
    const row = { name: sdk.name, ...sizeOf[sdk.id] }
    for (const f of FIELDS) row[f] = f === 'burst_ms' ? medianBurst(rs.map((r) => r[f])) : median(rs.map((r) => r[f]))
    for (const f of ['ready_ms', 'longest_task_ms', 'track_us_p50', 'track_us_p99', 'track_total_us', 'track_cpu_us', 'track_cpu_main_us', 'track_cpu_worker_us', 'track_cpu_pool_us', 'burst_ms']) row[f] = round(row[f], f.startsWith('track') ? 2 : 1)
    for (const f of ['burst_requests', 'burst_bytes', 'burst_delivered']) row[f] = row[f] == null ? null : Math.round(row[f])
    // Ready served raw (this SDK only), ready on a second visit.
    row.ready_raw_ms = sdk.id === 'this' ? round(median(rs.map((r) => r.raw && r.raw.ready_ms)), 1) : null
    // Cold, served brotli, with a dedicated Worker instead of the default host.
    row.ready_worker_ms = sdk.id === 'this' ? round(median(rs.map((r) => r.worker && r.worker.ready_ms)), 1) : null
    // The size floor's cold start in a dedicated Worker (bench.floor).
    row.floor_ready_ms = sdk.id === 'this' ? round(median(rs.map((r) => r.floor_ready_ms)), 1) : null
    // The same two on a page that is not cross-origin isolated.
    const plain = rs.flatMap((r) => r.plain || [])
    const plainWorker = rs.flatMap((r) => r.plainWorker || [])
    row.ready_plain_ms = sdk.id === 'this' ? round(median(plain), 1) : null
    row.ready_plain_worker_ms = sdk.id === 'this' ? round(median(plainWorker), 1) : null
    row.ready_plain_loads = sdk.id === 'this' ? [plain.length, plainWorker.length] : null
    row.second_visit_ready_ms = round(median(rs.map((r) => r.second && r.second.ready_ms)), 1)
    // The phases of fixed cost, one measurement each.
    const t = trickle[sdk.name]
    row.trickle_ms_per_event = t ? round(t.trickle_ms_per_event, 3) : null
    row.trickle_delivered = t ? t.trickle_delivered : null
    const m = tabMem[sdk.name]
    row.tab_rss_mb = m ? round(m.tab_rss_mb, 1) : null
    // Added memory for one tab, and for the bench's tabs of one origin.
    row.mem_1tab_mb = m && m.mem_1tab_mb != null ? round(m.mem_1tab_mb, 1) : null
    row.mem_tabs_mb = m && m.mem_tabs_mb != null ? round(m.mem_tabs_mb, 1) : null
    // The same without file-backed pages (anonymous and shared memory).
    row.mem_1tab_anon_mb = m && m.mem_1tab_anon_mb != null ? round(m.mem_1tab_anon_mb, 1) : null
    row.mem_tabs_anon_mb = m && m.mem_tabs_anon_mb != null ? round(m.mem_tabs_anon_mb, 1) : null
    // A visit of several pages in one tab.
    const v = visits[sdk.name]
    row.visit_ready_ms = v && v.visit_ready_ms != null ? round(v.visit_ready_ms, 1) : null
    row.visit_clicks = v ? v.visit_clicks ?? null : null
    row.visit_lost = v ? v.visit_lost ?? null : null
    row.visit_dupes = v ? v.visit_dupes ?? null : null
    // Page content on a slow link, against the page without an SDK.
    const c = contentFigures(content[sdk.name])
    row.content_image_ms = c ? c.image_ms : null
    row.content_image_ratio = c && c.image_ms != null && baseline && baseline.image_ms ? round(c.image_ms / baseline.image_ms, 2) : null
    row.content_load_ms = c ? c.load_ms : null
    row.content_delivered = c ? c.delivered : null
    row.content_delivered_ms = c ? c.delivered_ms : null
    results.push(row)
    if (sdk.id === 'this') {
      thisExtra = {}
      for (const f of THIS_FIELDS) thisExtra[f] = round(median(rs.map((r) => r[f])), 2)
      thisExtra.startup = {
        cold: breakdown(rs.map((r) => phasesAt(r.ready_ms, r.startup))),
        raw: breakdown(rs.map((r) => r.raw && phasesAt(r.raw.ready_ms, r.raw.startup))),
        second_visit: breakdown(rs.map((r) => r.second && phasesAt(r.second.ready_ms, r.second.startup))),
      }
      const wc = rs.map((r) => r.second && r.second.wasm_cache).filter(Boolean)
      const count = (k) => wc.filter((x) => x[k]).length
      thisExtra.second_visit_wasm_cache = { runs: wc.length, streamed: count('streamed'), written: count('written'), hit: count('hit'), invalid: count('invalid') }
    }
  }
  return { runs, floor_brotli_bytes: floor.brotli_bytes, page_content: baseline && { runs: baseline.runs, image_ms: baseline.image_ms, load_ms: baseline.load_ms }, results, this: thisExtra }
}

const kb = (b) => (b == null ? '–' : (b / 1024).toFixed(1))
const num = (x, d = 1) => (x == null ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }))
const int = (x) => (x == null ? '–' : Math.round(x).toLocaleString('en-US'))

// targets returns one line per target: what it asks, the measured value, met.
function targets(json, limits) {
  const me = json.results.find((r) => r.name === 'this')
  const peers = json.results.filter((r) => r.name !== 'this')
  if (!me) return []
  const t = []
  const peerTotals = peers.map((p) => p.track_total_us).filter((x) => x != null)
  const best = peerTotals.length ? Math.min(...peerTotals) : null
  t.push(['main-thread cost per event (track_total_us) ≤ best peer', `${num(me.track_total_us, 2)} µs vs ${num(best, 2)} µs`, me.track_total_us != null && best != null && me.track_total_us <= best])
  const peerCPU = peers.map((p) => p.track_cpu_us).filter((x) => x != null)
  const bestCPU = peerCPU.length ? Math.min(...peerCPU) : null
  t.push(['total CPU per event, main + Worker (track_cpu_us) ≤ best peer (reported; not a target of issue 13)', `${num(me.track_cpu_us, 2)} µs vs ${num(bestCPU, 2)} µs`, me.track_cpu_us != null && bestCPU != null && me.track_cpu_us <= bestCPU])
  const allIn = me.burst_delivered === limits.nBurst && me.burst_ms != null
  // A peer that did not deliver its burst in time is slower by definition.
  const fastest = peers.every((p) => p.burst_ms == null || (me.burst_ms != null && me.burst_ms < p.burst_ms))
  const perReq = me.burst_requests ? limits.nBurst / me.burst_requests : null
  t.push(['burst: all delivered, faster than every peer, ≤ 1 request per 50 events',
    `${int(me.burst_delivered)}/${int(limits.nBurst)} in ${int(me.burst_ms)} ms (fastest peer ${int(Math.min(...peers.map((p) => p.burst_ms ?? Infinity)))} ms), ${int(me.burst_requests)} requests (${num(perReq, 1)} events/request)`,
    allIn && fastest && perReq != null && perReq >= 50])
  const x = json.this || {}
  t.push(['durable_ms_p50 ≤ 10 ms', `${num(x.durable_ms_p50, 2)} ms`, x.durable_ms_p50 != null && x.durable_ms_p50 <= 10])
  t.push(['burst_durable_ms ≤ 1000 ms', `${num(x.burst_durable_ms, 0)} ms`, x.burst_durable_ms != null && x.burst_durable_ms <= 1000])
  const ratio = me.brotli_bytes / json.floor_brotli_bytes
  t.push(['size ≤ 1.25 × floor (brotli)', `${kb(me.brotli_bytes)} KB / ${kb(json.floor_brotli_bytes)} KB = ${ratio.toFixed(2)}×`, ratio <= 1.25])
  t.push(['no main-thread task > 50 ms at start-up', `longest ${num(me.longest_task_ms, 1)} ms`, me.longest_task_ms != null && me.longest_task_ms <= 50])
  t.push(['wasm memory < 16 MB after 100k events', `${num(x.wasm_memory_mb_100k, 1)} MB`, x.wasm_memory_mb_100k != null && x.wasm_memory_mb_100k < 16])
  // Issue 13's.
  const peerReady = peers.map((p) => p.ready_ms).filter((v) => v != null)
  const slowest = peerReady.length ? Math.max(...peerReady) : null
  if (json.page_content) {
    const snow = peers.find((p) => p.name === '@snowplow/browser-tracker')
    t.push(['page content (issue 26): main image loaded ≤ 1.05× the page without an SDK, on a slow link, and the 3 calls made before the SDK loaded all delivered',
      `${num(me.content_image_ratio, 2)}× (${int(me.content_image_ms)} ms vs ${int(json.page_content.image_ms)} ms${snow ? `; Snowplow ${num(snow.content_image_ratio, 2)}×` : ''}), delivered ${me.content_delivered == null ? '–' : me.content_delivered}/3 in every run`,
      me.content_image_ratio != null && me.content_image_ratio <= 1.05 && me.content_delivered === 3])
  }
  t.push(['ready (cold, served brotli) ≤ 150 ms and ≤ the slowest peer\'s',
    `${num(me.ready_ms, 1)} ms (slowest peer ${num(slowest, 1)} ms; served raw ${num(me.ready_raw_ms, 1)} ms)`,
    me.ready_ms != null && me.ready_ms <= 150 && slowest != null && me.ready_ms <= slowest])
  const snowReady = (peers.find((p) => p.name === '@snowplow/browser-tracker') || {}).ready_ms
  t.push(['ready (issue 26: cold, brotli, counted from when the SDK starts its own loading) ≤ 2.5× Snowplow\'s and below the slowest peer\'s',
    `${num(me.ready_ms, 1)} ms = ${snowReady ? (me.ready_ms / snowReady).toFixed(2) : '–'}× Snowplow's ${num(snowReady, 1)} ms (slowest peer ${num(slowest, 1)} ms); the size floor, a Go program that only starts, in a dedicated Worker: ${num(me.floor_ready_ms, 1)} ms = ${snowReady && me.floor_ready_ms != null ? (me.floor_ready_ms / snowReady).toFixed(2) : '–'}× (this SDK with a dedicated Worker: ${num(me.ready_worker_ms, 1)} ms)`,
    me.ready_ms != null && snowReady != null && me.ready_ms <= 2.5 * snowReady && slowest != null && me.ready_ms < slowest])
  t.push(['the first page (issue 23): cold ready with the default host (SharedWorker) no slower than with a dedicated Worker, in the same run, on a plain page (not cross-origin isolated, as most sites)',
    `${num(me.ready_plain_ms, 1)} ms vs ${num(me.ready_plain_worker_ms, 1)} ms, medians of ${me.ready_plain_loads ? me.ready_plain_loads.join(' and ') : '–'} loads (on this bench's isolated page, where Chromium starts a process for the SharedWorker: ${num(me.ready_ms, 1)} ms vs ${num(me.ready_worker_ms, 1)} ms)`,
    me.ready_plain_ms != null && me.ready_plain_worker_ms != null && me.ready_plain_ms <= me.ready_plain_worker_ms])
  t.push(['second visit ready measured', `${num(me.second_visit_ready_ms, 1)} ms`, me.second_visit_ready_ms != null])
  const peerTrickle = peers.map((p) => p.trickle_ms_per_event)
  const allPeers = peerTrickle.length > 0 && peerTrickle.every((v) => v != null)
  const bestPeer = allPeers ? Math.min(...peerTrickle) : null
  t.push(['page cost per event at 2 events/s, above idle, ≤ 0.5 ms and below every peer',
    `${num(me.trickle_ms_per_event, 2)} ms (best peer ${num(bestPeer, 2)} ms)${allPeers ? '' : '; not every peer measured'}`,
    me.trickle_ms_per_event != null && me.trickle_ms_per_event <= 0.5 && allPeers && me.trickle_ms_per_event < bestPeer])
  // Issue 23's.
  const memRatio = me.mem_1tab_mb && me.mem_tabs_mb != null ? me.mem_tabs_mb / me.mem_1tab_mb : null
  t.push([`memory (issue 23): added for ${limits.tabs} tabs of one origin ≤ 1.25× added for 1 tab`,
    `${num(me.mem_tabs_mb, 1)} MB for ${limits.tabs} tabs, ${num(me.mem_1tab_mb, 1)} MB for 1: ${memRatio == null ? '–' : memRatio.toFixed(2)}×`,
    memRatio != null && memRatio <= 1.25])
  const anonRatio = me.mem_1tab_anon_mb && me.mem_tabs_anon_mb != null ? me.mem_tabs_anon_mb / me.mem_1tab_anon_mb : null
  t.push([`memory (issue 23), the same without file-backed pages (the browser binary's code, counted in every renderer that ran it) ≤ 1.25×`,
    `${num(me.mem_tabs_anon_mb, 1)} MB for ${limits.tabs} tabs, ${num(me.mem_1tab_anon_mb, 1)} MB for 1: ${anonRatio == null ? '–' : anonRatio.toFixed(2)}×`,
    anonRatio != null && anonRatio <= 1.25])
  const peerVisit = peers.map((p) => p.visit_ready_ms)
  const visitAll = peerVisit.length > 0 && peerVisit.every((x) => x != null)
  t.push(['ready on the next pages of a same-site visit (issue 23): median ≤ 50 ms and below every peer\'s',
    `${num(me.visit_ready_ms, 1)} ms (peers ${peers.map((p) => num(p.visit_ready_ms, 1)).join(', ')} ms)`,
    me.visit_ready_ms != null && me.visit_ready_ms <= 50 && visitAll && peerVisit.every((x) => me.visit_ready_ms < x)])
  const perClick = me.visit_clicks ? me.visit_dupes / me.visit_clicks : null
  t.push(['a click tracked right before a same-site navigation (issue 23): ≤ 0.01 received twice per click, none lost',
    `${me.visit_dupes ?? '–'} of ${me.visit_clicks ?? '–'} received twice (${perClick == null ? '–' : perClick.toFixed(3)}), ${me.visit_lost ?? '–'} lost`,
    perClick != null && perClick <= 0.01 && me.visit_lost === 0])
  t.push(['memory per open tab measured, every SDK', `${num(me.tab_rss_mb, 1)} MB (peers ${peers.map((p) => num(p.tab_rss_mb, 1)).join(', ')} MB)`,
    json.results.every((r) => r.tab_rss_mb != null)])
  return t
}

// Most runs of an SDK gave up before all of its burst arrived: its
// total µs/event is then a lower bound (work until the give-up point).
const lowerBound = (rs) => rs.filter((r) => r.total_is_lower_bound).length * 2 > rs.length

export function markdown(json, { date, quick, perRun, sdks, floor, floorWasm, thisWasm, unknown, seconds, limits, chromium, skipped, load, trickle = {}, tabMem = {}, served }) {
  const L = []
  L.push(`# exponea-wasm vs peer SDKs — browser benchmark`)
  L.push('')
  L.push(`${(date || new Date().toISOString()).slice(0, 16).replace('T', ' ')} UTC · headless Chromium${chromium ? ' ' + chromium : ''} · medians of up to ${json.runs} runs${quick ? ' (quick mode)' : ''} · whole run ${Math.round(seconds)} s${load ? ` · load average ${load.map((x) => x.toFixed(1)).join(' → ')} on ${cpus} cores` : ''} · ${limits.nBurst.toLocaleString('en-US')}-event burst: loop capped at ${limits.loopMs / 1000} s, delivery given up at ${limits.burstMs / 1000} s or after ${limits.stallMs / 1000} s without progress`)
  L.push('')
  L.push('Summary, side by side (details in the tables below): shipped size; ready (cold, served brotli); CPU per tracked event in the 10k burst, in all (the page\'s main thread plus the SDK\'s Worker threads, from a Chromium trace) and the page\'s share (its main thread: `TaskDuration`); the page\'s cost per event at a real page\'s pace (2 events/s); memory per open tab.')
  L.push('')
  L.push('| SDK | brotli KB | ready ms | total CPU µs/event (main + Worker) | page\'s share µs/event (main thread) | page ms per event at 2 events/s | memory per tab MB |')
  L.push('|---|--:|--:|--:|--:|--:|--:|')
  for (const r of json.results) {
    const rs = perRun.get(r.name) || []
    const ge = lowerBound(rs) ? '≥ ' : ''
    const cell = (v, d) => (v == null ? '–' : ge + num(v, d))
    L.push(`| ${r.name === 'this' ? '**this (exponea-wasm)**' : r.name} | ${kb(r.brotli_bytes)} | ${num(r.ready_ms, 1)} | ${cell(r.track_cpu_us, 1)} | ${cell(r.track_total_us, 1)} | ${num(r.trickle_ms_per_event, 2)} | ${num(r.tab_rss_mb, 1)} |`)
  }
  L.push('')
  L.push('| SDK | runs | raw KB | gzip KB | brotli KB | ready ms | longest task ms | track p50 µs | track p99 µs | total µs/event | burst ms | requests | KB sent | delivered |')
  L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
  for (const r of json.results) {
    const rs = perRun.get(r.name) || []
    const burst = r.burst_ms == null ? 'incomplete' : int(r.burst_ms)
    const calls = median(rs.map((x) => x.calls))
    const delivered = int(r.burst_delivered) + (calls != null && calls < limits.nBurst ? ` of ${int(calls)} tracked` : '')
    const total = r.track_total_us == null ? '–' : (lowerBound(rs) ? '≥ ' : '') + num(r.track_total_us, 2)
    L.push(`| ${r.name === 'this' ? '**this (exponea-wasm)**' : r.name} | ${rs.length} | ${kb(r.raw_bytes)} | ${kb(r.gzip_bytes)} | ${kb(r.brotli_bytes)} | ${num(r.ready_ms, 1)} | ${num(r.longest_task_ms, 1)} | ${num(r.track_us_p50, 2)} | ${num(r.track_us_p99, 2)} | ${total} | ${burst} | ${int(r.burst_requests)} | ${kb(r.burst_bytes)} | ${delivered} |`)
  }
  L.push('')
  L.push('CPU per tracked event in the burst, by thread, from a Chromium trace of the same window as `total µs/event` (thread CPU time of the top-level tasks of the page\'s renderer process; µs ÷ the calls made):')
  L.push('')
  L.push('| SDK | main thread (trace) | Worker threads (trace) | **total: main + Worker** | main thread (`TaskDuration`, the page\'s share above) | renderer\'s other threads (V8 compile, GC; not in the total) | Worker threads seen |')
  L.push('|---|--:|--:|--:|--:|--:|--:|')
  for (const r of json.results) {
    const rs = perRun.get(r.name) || []
    const ge = lowerBound(rs) ? '≥ ' : ''
    const cell = (v) => (v == null ? '–' : ge + num(v, 2))
    const workers = median(rs.map((x) => x.burst_workers))
    L.push(`| ${r.name === 'this' ? '**this (exponea-wasm)**' : r.name} | ${cell(r.track_cpu_main_us)} | ${cell(r.track_cpu_worker_us)} | **${cell(r.track_cpu_us)}** | ${cell(r.track_total_us)} | ${cell(r.track_cpu_pool_us)} | ${workers == null ? '–' : workers} |`)
  }
  L.push('')
  const tn = limits.trickleN
  L.push(`Start-up served as a CDN would (brotli) and raw, a second visit, a real page's pace (one event every ${limits.trickleEveryMs} ms for ${tn * limits.trickleEveryMs / 1000} s, all SDKs at once), memory per open tab (${limits.tabs} tabs, one SDK at a time):`)
  L.push('')
  L.push('| SDK | ready ms (brotli) | ready ms (raw) | second visit ready ms | page ms per event at 2 events/s, above idle | trickle delivered | memory per tab MB (RSS) |')
  L.push('|---|--:|--:|--:|--:|--:|--:|')
  for (const r of json.results) {
    const rs = perRun.get(r.name) || []
    const sv = rs.filter((x) => x.second).length
    L.push(`| ${r.name === 'this' ? '**this (exponea-wasm)**' : r.name} | ${num(r.ready_ms, 1)} | ${r.name === 'this' ? num(r.ready_raw_ms, 1) : '–'} | ${num(r.second_visit_ready_ms, 1)}${sv && sv !== rs.length ? ` (${sv} runs)` : ''} | ${num(r.trickle_ms_per_event, 2)} | ${r.trickle_delivered == null ? '–' : `${r.trickle_delivered}/${tn}`} | ${num(r.tab_rss_mb, 1)} |`)
  }
  L.push('')
  if (json.results.some((r) => r.visit_ready_ms != null || r.mem_1tab_mb != null)) {
    L.push(`Several pages (issue 23): memory the SDK adds to 1 tab and to ${limits.tabs} tabs of one origin (RSS above the same tabs without it; then without file-backed pages: RSS counts the pages of Chromium's binary a renderer has run in every renderer, though they are in memory once, and a page that uses more of the browser runs more of its code); a visit of ${limits.visitPages} pages in one tab (files cacheable), ${limits.visitDwellMs} ms after ready each page tracks a click and leaves for the next in the same task: ready on pages 2–${limits.visitPages} (median), and the clicks lost or received twice (the sink does not dedupe).`)
    L.push('')
    L.push(`| SDK | added MB, 1 tab | added MB, ${limits.tabs} tabs | × 1 tab | without file-backed pages: 1 tab / ${limits.tabs} tabs MB | × 1 tab | ready on pages 2–${limits.visitPages} ms | clicks lost | clicks received twice |`)
    L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|')
    for (const r of json.results) {
      const ratio = r.mem_1tab_mb && r.mem_tabs_mb != null ? `${(r.mem_tabs_mb / r.mem_1tab_mb).toFixed(2)}×` : '–'
      const anon = r.mem_1tab_anon_mb && r.mem_tabs_anon_mb != null ? `${(r.mem_tabs_anon_mb / r.mem_1tab_anon_mb).toFixed(2)}×` : '–'
      L.push(`| ${r.name === 'this' ? '**this (exponea-wasm)**' : r.name} | ${num(r.mem_1tab_mb, 1)} | ${num(r.mem_tabs_mb, 1)} | ${ratio} | ${num(r.mem_1tab_anon_mb, 1)} / ${num(r.mem_tabs_anon_mb, 1)} | ${anon} | ${num(r.visit_ready_ms, 1)} | ${r.visit_lost == null ? '–' : `${r.visit_lost}/${r.visit_clicks}`} | ${r.visit_dupes == null ? '–' : `${r.visit_dupes}/${r.visit_clicks}`} |`)
    }
    L.push('')
  }
  const pc = json.page_content
  if (pc) {
    const sl = limits.slowLink
    L.push(`Page content on a slow link (issue 26): a product page whose main content is an ~800 KB image, over ${sl ? `${sl.downloadThroughput * 8 / 1e6} Mbit/s down, ${sl.uploadThroughput * 8 / 1e3} kbit/s up, ${sl.latency} ms RTT` : 'a throttled link'} (CDP \`Network.emulateNetworkConditions\`), cold; each SDK loaded with \`<script async>\` in the head, then configured and 3 events tracked; medians of ${pc.runs} runs, ms since navigation start. Without an SDK: main image ${int(pc.image_ms)} ms, load event ${int(pc.load_ms)} ms.`)
    L.push('')
    L.push('| SDK | main image loaded ms | × no SDK | load event ms | 3 events delivered (fewest in a run) | delivered at ms (median) |')
    L.push('|---|--:|--:|--:|--:|--:|')
    for (const r of json.results) {
      L.push(`| ${r.name === 'this' ? '**this (exponea-wasm)**' : r.name} | ${int(r.content_image_ms)} | ${num(r.content_image_ratio, 2)}× | ${int(r.content_load_ms)} | ${r.content_delivered == null ? '–' : `${r.content_delivered}/3`} | ${int(r.content_delivered_ms)} |`)
    }
    L.push('')
  }
  const x = json.this
  if (x) {
    L.push('SDK under test only:')
    L.push('')
    L.push('| durable p50 (1 event / 5 ms) | burst durable (10k, last call → all stored) | wasm memory after 100k events | brotli / floor (js+wasm) | brotli / floor (wasm only) | longest start-up task, CPU |')
    L.push('|--:|--:|--:|--:|--:|--:|')
    const me = json.results.find((r) => r.name === 'this')
    const cpu = median((perRun.get('this') || []).map((r) => r.longest_task_cpu_ms))
    L.push(`| ${num(x.durable_ms_p50, 2)} ms | ${num(x.burst_durable_ms, 0)} ms | ${num(x.wasm_memory_mb_100k, 1)} MB | ${(me.brotli_bytes / floor.brotli_bytes).toFixed(2)}× (${kb(me.brotli_bytes)} / ${kb(floor.brotli_bytes)} KB) | ${(thisWasm.brotli_bytes / floorWasm.brotli_bytes).toFixed(2)}× | ${num(cpu, 1)} ms |`)
    L.push('')
    // The run whose longest start-up task is the median one, and what ran in it.
    const byTask = (perRun.get('this') || []).filter((r) => r.longest_task_ms != null).sort((a, b) => a.longest_task_ms - b.longest_task_ms)
    const mid = byTask[Math.floor((byTask.length - 1) / 2)]
    if (mid && mid.longest_task_cause) {
      L.push(`The longest main-thread task at start-up in the median run (${num(mid.longest_task_ms, 1)} ms wall, ${num(mid.longest_task_cpu_ms, 1)} ms CPU), by the trace events that fill it (each more than half of the one before), the longest three in the last of them, and the threads busy meanwhile: ${mid.longest_task_cause}.`)
      L.push('')
    }
    const sb = x.startup || {}
    if (sb.cold || sb.raw || sb.second_visit) {
      L.push(`Start-up of the SDK under test, ms since its \`<script>\` was added (medians of ${[['cold', sb.cold], ['raw', sb.raw], ['second visit', sb.second_visit]].map(([k, v]) => `${v ? v.runs : 0} ${k}`).join(', ')} runs; the phases after the loader's are \`client.startup\`'s marks, ms since the start began, plus the loader's time; the wait for the page before the start, \`waited\`, is a duration apart, in neither the phases nor ready):`)
      L.push('')
      L.push('| phase | cold, brotli | cold, raw | second visit |')
      L.push('|---|--:|--:|--:|')
      const cell = (b, k) => (b ? num(b[k], 1) : '–')
      for (const [k, label] of PHASES) L.push(`| ${label} | ${cell(sb.cold, k)} | ${cell(sb.raw, k)} | ${cell(sb.second_visit, k)} |`)
      L.push('')
    }
    const before = (perRun.get('this') || []).map((r) => r.mem_before_fill_mb).filter((v) => v != null)
    L.push(`The memory figure is from run 1 only (storing 100,000 events takes a while): the wasm instance's \`mem.buffer.byteLength\` once the 100,000th event was stored${x.wasm_memory_mb_100k == null ? ' (not reached within the time cap: see the notes)' : ''}${before.length ? `; it was ${num(before[0], 1)} MB after the first 21,100 (warm-up, burst, trickle, durable burst)` : ''}. Go's linear memory never shrinks, so this is its peak.`)
    L.push('')
    L.push('Targets (measured, not tuned for):')
    L.push('')
    L.push('| target | measured | |')
    L.push('|---|---|---|')
    for (const [what, value, met] of targets(json, limits)) L.push(`| ${what} | ${value} | ${met ? 'met' : '**missed**'} |`)
    L.push('')
  }
  L.push('Notes:')
  L.push('')
  L.push('- Sizes: everything the page loads, minified; gzip -9 and brotli -q 11 (16 MB window) of each file, summed. This SDK: `dist/exponea.js` + `dist/exponea.worker.js` + `dist/exponea.wasm`; a peer: its esbuild bundle from `bench/peers/` (SDK + ~0.5 KB of configuration). The floor is `bench/floor` (Go importing only `syscall/js`, safejs and uuid, same flags) + Go\'s `wasm_exec.js` minified.')
  L.push('- Every SDK, this one included, sends to the same Node sink, which answers each one\'s protocol with success; bytes are the request bodies the sink received.')
  L.push('- `track p50/p99`: the synchronous part of one call, from 100 blocks of 100 calls (the page is cross-origin isolated: 5 µs timer). `total µs/event`: main-thread CPU time of all tasks (CDP `TaskDuration` in thread time; wasm, timers, I/O callbacks included) from before the burst until all of it arrived plus 0.5 s, ÷ the calls made. `longest task`: the longest main-thread task (trace `RunTask`, wall time) from adding the script until 1 s after ready.')
  L.push('- `total CPU µs/event (main + Worker)`: the burst runs under a Chromium trace (CDP `Tracing`, categories `devtools.timeline,toplevel`); the thread CPU time (`tdur`) of every top-level task (`ThreadControllerImpl::RunTask`) and microtask checkpoint (`BlinkScheduler_PerformMicrotaskCheckpoint`, which runs outside its task) on the page renderer\'s main thread (`CrRendererMain`) and its dedicated Worker threads (`DedicatedWorker thread`), over the same window as `total µs/event`, ÷ the calls made. The renderer is the process whose timeline events name a frame. A peer without a Worker has nothing on Worker threads; this SDK runs its Go side in a Worker, where most of its work is. Tracing costs some CPU itself, alike for every SDK; `TaskDuration` is read under the same trace. Not counted: the browser and network processes (requests, IndexedDB\'s backend) and the renderer\'s pool threads (shown apart).')
  L.push(`- \`burst ms\`: from the first call of the loop until the last of the 10,000 events arrived. \`incomplete\` (null in the JSON): in most runs not all 10,000 arrived: the loop was cut at ${limits.loopMs / 1000} s (an SDK whose calls get slower as its queue grows; \`of N tracked\`), or delivery was given up ${limits.burstMs / 1000} s after the start or after ${limits.stallMs / 1000} s with nothing new. \`delivered\` is then the median count that did arrive, and \`total µs/event\` (marked ≥) counts the work until the give-up point only. \`requests\` and \`KB sent\` are those of the burst (preflights not counted).`)
  L.push('- `runs`: every SDK gets one run; more are made while the 12-minute budget allows (the SDK under test first, then the peers whose run took under 30 s, then the slow ones), so a slow peer\'s medians are of fewer runs, or of one.')
  L.push(`- Serving: every SDK's files go out as a CDN would send them, brotli (quality 11) with \`Content-Encoding: br\`${served ? ` (this run: ${served.br} responses in brotli, ${served.raw} raw — the raw ones are the \`ready ms (raw)\` loads${served.raw !== (perRun.get('this') || []).filter((r) => r.raw).length * 3 ? `, not the ${(perRun.get('this') || []).filter((r) => r.raw).length * 3} expected` : ''})` : ''}; cold loads \`no-store\`. \`ready ms (raw)\`: the SDK under test in one more fresh context per run, its files uncompressed. On loopback the download is nearly free, so brotli mostly adds the decompression; on a real network the 4 MB raw wasm would cost far more than the 0.8 MB compressed one.`)
  const wc = x && x.second_visit_wasm_cache
  L.push(`- Second visit: Chromium with a profile on disk (a \`browser.newContext()\` context is off the record and keeps no code cache, not even for scripts), a page origin of its own per measurement (a fresh port), cacheable responses (\`Cache-Control: public, max-age=3600\`, ETag). The first visit loads the SDK, tracks 5 events and stays ${limits.firstVisitMs / 1000} s (V8 writes a wasm code cache only once the module's code has settled for ~2 s; a peer's, without wasm, 1 s); its tab closes; a new tab loads the page again and its ready time is the figure.${wc && wc.runs ? ` Chromium's trace for the SDK under test (${wc.runs} runs): the wasm was compiled from a streamed response in ${wc.streamed}, a wasm code cache was written on the first visit (\`v8.wasm.cachedModule\`) in ${wc.written} and used on the second (\`v8.wasm.moduleCacheHit\`) in ${wc.hit}${wc.hit === 0 ? ': the second visit saves the download, not the compile' : ''}.` : ''} A second visit whose files did not all come from the browser's cache is noted below.`)
  L.push(`- Page cost at 2 events/s: each SDK's page and one idle page (the same timer, building the same properties, no SDK) in contexts of their own, side by side; each page's main-thread CPU time (CDP \`TaskDuration\`, thread ticks) from ${2} s after its SDK was ready, over the ${tn} events and ${2} s after the last, less the idle page's over as long, ÷ ${tn}. Everything the SDK does on the page in that time counts (its timers, posts, answers, requests); its Worker's thread does not. One measurement per bench run; every event must arrive (\`trickle delivered\`).`)
  L.push(`- Memory per tab: the RSS of every process of the benchmark's Chromium (browser, zygotes, GPU, network, renderers; read from /proc) with ${limits.tabs} tabs of one context, each with the SDK started and 5 events tracked and delivered, minus the same with ${limits.tabs} tabs of the bench page without an SDK (measured just before), ÷ ${limits.tabs}. One measurement per SDK; RSS counts shared pages in every process, so it is an upper bound of what a tab adds.`)
  // per-SDK run notes, deduplicated
  for (const sdk of sdks) {
    const rs = perRun.get(sdk.name) || []
    const notes = [...new Set([...rs.flatMap((r) => r.notes), ...((trickle[sdk.name] || {}).notes || []), ...((tabMem[sdk.name] || {}).notes || [])])]
    const refetch = rs.filter((r) => r.second && (r.second.refetched || r.second.revalidated))
    if (refetch.length) notes.push(`second visit not all from the browser's cache in ${refetch.length} run(s): ${refetch.map((r) => `${r.second.refetched} refetched, ${r.second.revalidated} revalidated`).join('; ')}`)
    const short = rs.filter((r) => r.calls < limits.nBurst || r.gave_up)
    if (short.length) {
      notes.unshift('burst per run: ' + rs.map((r) => `${int(r.burst_delivered)}/${int(r.calls)} delivered${r.loop_cut_s ? ` (loop cut at ${r.loop_cut_s} s)` : ''}${r.gave_up ? ` (then ${r.gave_up})` : ''}`).join(', '))
    }
    const ext = [...new Set([...rs.flatMap((r) => r.external || []), ...((trickle[sdk.name] || {}).external || []), ...((tabMem[sdk.name] || {}).external || [])])]
    const nulls = FIELDS.filter((f) => f !== 'burst_ms' && rs.every((r) => r[f] == null))
    const skip = skipped && skipped.get(sdk.name)
    const parts = []
    if (notes.length) parts.push(notes.join('; '))
    if (nulls.length) parts.push(`no figure for ${nulls.join(', ')}`)
    if (ext.length) parts.push(`tried to load non-loopback URLs (blocked): ${ext.map((u) => '`' + u + '`').join(', ')}`)
    if (skip) parts.push(`${skip} run(s) left out for time`)
    if (parts.length) L.push(`- ${sdk.name}: ${parts.join('; ')}.`)
  }
  const stray = Object.entries(unknown || {})
  if (stray.length) L.push(`- Requests at the sink that carried no bench event: ${stray.map(([k, v]) => `\`${k}\` ×${v}`).join(', ')}.`)
  L.push('')
  return L.join('\n')
}

// ---------- SVG ----------
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function svg(json, perRun = new Map()) {
  const panels = [
    { key: 'brotli_bytes', title: 'shipped size, brotli (KB)', val: (r) => (r.brotli_bytes == null ? null : r.brotli_bytes / 1024), d: 0 },
    { key: 'ready_ms', title: 'script start → ready (ms; this SDK\'s wait for the page out)', val: (r) => r.ready_ms, d: 0 },
    { key: 'track_cpu_us', title: 'total CPU µs per tracked event (main + Worker)', val: (r) => r.track_cpu_us, d: 1, bound: (r) => lowerBound(perRun.get(r.name) || []) },
    { key: 'track_total_us', title: 'main-thread CPU µs per tracked event (page\'s share)', val: (r) => r.track_total_us, d: 1, bound: (r) => lowerBound(perRun.get(r.name) || []) },
    { key: 'burst_ms', title: '10k burst → all delivered (ms)', val: (r) => r.burst_ms, d: 0, missing: 'incomplete' },
    { key: 'trickle_ms_per_event', title: 'page ms per event at 2 events/s, above idle', val: (r) => r.trickle_ms_per_event, d: 2 },
    { key: 'tab_rss_mb', title: 'memory per open tab (MB RSS)', val: (r) => r.tab_rss_mb, d: 1 },
  ]
  const rows = json.results
  const W = 1000, labelW = 230, panelW = (W - 40) / 2, barH = 18, gap = 6
  const panelH = 40 + rows.length * (barH + gap)
  const H = 80 + Math.ceil(panels.length / 2) * (panelH + 20)
  const o = []
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`)
  o.push(`<rect width="${W}" height="${H}" fill="#fff"/>`)
  o.push(`<text x="20" y="30" font-size="18" font-weight="600">exponea-wasm vs peers (medians of up to ${json.runs} runs; shorter is better)</text>`)
  o.push(`<text x="20" y="${H - 16}" fill="#667085">≥: gave up before the whole burst arrived (work counted until then). Details and caveats: latest.md, bench/README.md.</text>`)
  panels.forEach((p, i) => {
    const x0 = 20 + (i % 2) * (panelW + 0), y0 = 60 + Math.floor(i / 2) * (panelH + 20)
    const vals = rows.map(p.val)
    const max = Math.max(...vals.filter((v) => v != null), 1e-9)
    const barMax = panelW - labelW - 70
    o.push(`<text x="${x0}" y="${y0 + 14}" font-size="14" font-weight="600">${esc(p.title)}</text>`)
    rows.forEach((r, j) => {
      const y = y0 + 28 + j * (barH + gap)
      const v = vals[j]
      const me = r.name === 'this'
      o.push(`<text x="${x0 + labelW - 8}" y="${y + barH - 5}" text-anchor="end"${me ? ' font-weight="700"' : ''}>${esc(me ? 'this (exponea-wasm)' : r.name)}</text>`)
      if (v == null) {
        o.push(`<text x="${x0 + labelW}" y="${y + barH - 5}" fill="#b42318">${esc(p.missing || 'n/a')}</text>`)
        return
      }
      const w = Math.max(1, (v / max) * barMax)
      o.push(`<rect x="${x0 + labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${me ? '#2563eb' : '#98a2b3'}" rx="2"/>`)
      const ge = p.bound && p.bound(r) ? '≥ ' : ''
      o.push(`<text x="${(x0 + labelW + w + 6).toFixed(1)}" y="${y + barH - 5}">${ge}${v.toLocaleString('en-US', { maximumFractionDigits: p.d, minimumFractionDigits: p.d })}</text>`)
    })
  })
  o.push('</svg>')
  return o.join('\n') + '\n'
}

export function writeReport(opts) {
  // Every run's figures, so the report can be redone without measuring
  // (`node report.mjs`), e.g. after a change to this file.
  if (opts.raw) {
    writeFileSync(opts.raw, JSON.stringify({ ...opts, perRun: Object.fromEntries(opts.perRun), skipped: Object.fromEntries(opts.skipped || []) }, null, 1))
  }
  const json = aggregate(opts)
  const md = markdown(json, opts)
  mkdirSync(opts.dir, { recursive: true })
  writeFileSync(join(opts.dir, 'latest.json'), JSON.stringify(json, null, 2) + '\n')
  writeFileSync(join(opts.dir, 'latest.md'), md)
  writeFileSync(join(opts.dir, 'latest.svg'), svg(json, opts.perRun))
  return md
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const raw = process.argv[2] || new URL('dist/last-runs.json', import.meta.url).pathname
  const o = JSON.parse(readFileSync(raw, 'utf8'))
  process.stdout.write(writeReport({ ...o, raw: null, perRun: new Map(Object.entries(o.perRun)), skipped: new Map(Object.entries(o.skipped)) }))
}
