// Orchestrates the benchmark: one headless Chromium, one page origin, one
// loopback sink for every SDK, the one under test included; every
// SDK measured up to `runs` times (runs interleaved, so drift of the machine
// hits all alike), medians written by report.mjs.
//
// Environment: BENCH_QUICK=1 (3 runs, shorter caps), BENCH_RUNS=n,
// BENCH_ONLY=this,posthog (a subset, for development), BENCH_T0_MS (when
// run.sh started, so the time budget covers the builds too),
// BENCH_BUDGET_S (the whole run's budget), BENCH_CHROMIUM.
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib'
import { chromium } from 'playwright-core'
import { startSink } from './sink.mjs'
import { startPages } from './pages.mjs'
import { writeReport } from './report.mjs'

const benchDir = new URL('.', import.meta.url).pathname
const rootDir = join(benchDir, '..')
// A copy of the SDK's dist/ taken by run.sh after `make build`: what the page
// loads is what the sizes are of, even if dist/ is rebuilt meanwhile.
const distDir = join(benchDir, 'dist/sdk')

const quick = process.env.BENCH_QUICK === '1'
const runs = Number(process.env.BENCH_RUNS) || (quick ? 3 : 5)

// The SDKs: the name the report uses, the bundle the page loads, the path
// of its traffic at the sink.
const SDKS = [
  { name: 'this', id: 'this', sink: 'exponea' },
  { name: '@segment/analytics-next', id: 'segment', sink: 'segment' },
  { name: '@amplitude/analytics-browser', id: 'amplitude', sink: 'amplitude' },
  { name: 'posthog-js', id: 'posthog', sink: 'posthog' },
  { name: '@rudderstack/analytics-js', id: 'rudderstack', sink: 'rudder' },
  { name: '@snowplow/browser-tracker', id: 'snowplow', sink: 'snowplow' },
  { name: 'mixpanel-browser', id: 'mixpanel', sink: 'mixpanel' },
]
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null
const sdks = only ? SDKS.filter((s) => only.includes(s.id)) : SDKS

const N_WARM = 100
const N_BURST = 10_000
const N_TRICKLE = 1_000
const N_MEMORY = 100_000

// Time. `make bench` must end within 10 minutes on 2 cores, builds included,
// and some peers need minutes for one burst (Segment), or never finish it
// (Mixpanel). So: every SDK gets one run with these caps; further runs are
// made, cheapest SDK first, while the time left allows (the SDK under test
// first of all); the report says how many runs each median is of.
const T0 = Number(process.env.BENCH_T0_MS) || Date.now()
const BUDGET_MS = (Number(process.env.BENCH_BUDGET_S) || (quick ? 420 : 540)) * 1000
const END = T0 + BUDGET_MS - 15_000 // left for the report and teardown
const CAPS = {
  loopMs: (quick ? 15 : 30) * 1000, // the synchronous 10k loop stops here
  burstMs: (quick ? 30 : 60) * 1000, // from the burst's start to giving up on delivery
  stallMs: (quick ? 8 : 10) * 1000, // nothing new arriving for this long: give up
  fillMs: 100 * 1000, // storing the events up to 100,000, for the memory figure
}
const STARTUP_SETTLE_MS = 1000 // deferred start-up work counts as start-up
const IDLE_SETTLE_MS = 500 // deferred delivery work counts in track_total_us

const log = (...a) => console.error('[bench]', ...a)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const wall = () => performance.timeOrigin + performance.now()

// withTimeout bounds every step that waits on the page.
function withTimeout(p, ms, what) {
  let t
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms) })])
    .finally(() => clearTimeout(t))
}

// ---------- sizes ----------
function sizes(files) {
  const bufs = files.map((f) => readFileSync(f))
  const sum = (fn) => bufs.reduce((n, b) => n + fn(b).length, 0)
  return {
    raw_bytes: sum((b) => b),
    gzip_bytes: sum((b) => gzipSync(b, { level: 9 })),
    // brotli -q 11 with the CLI's default 16 MB window (lgwin 24).
    brotli_bytes: sum((b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_LGWIN]: 24, [zc.BROTLI_PARAM_SIZE_HINT]: b.length } })),
  }
}

// ---------- one SDK, one run ----------
const pct = (xs, p) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b)
  if (!s.length) return null
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}

// TaskDuration: seconds of main-thread tasks so far, in thread CPU time
// (Performance.enable with threadTicks): on a shared 2-core machine wall
// time would also count the time the thread waited for a core. The renderer
// answers on its main thread, so a page stuck in one long task answers late:
// bounded.
async function taskDuration(cdp, ms = 5000) {
  const { metrics } = await withTimeout(cdp.send('Performance.getMetrics'), ms, 'Performance.getMetrics')
  return metrics.find((m) => m.name === 'TaskDuration').value
}

// traceLongestTask returns the longest main-thread task (ms) of the page's
// renderer while `during` runs, from a devtools.timeline trace: the longtask
// observer only sees tasks of 50 ms and more.
async function traceLongestTask(cdp, during) {
  const events = []
  const onData = (e) => { for (const x of e.value) events.push(x) }
  cdp.on('Tracing.dataCollected', onData)
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' })
  let value
  try { value = await during() } finally {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r))
    await cdp.send('Tracing.end')
    await withTimeout(done, 30000, 'trace end')
    cdp.off('Tracing.dataCollected', onData)
  }
  const mainThreads = new Set(events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args && e.args.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`))
  // dur is wall time (what the page's user waits); tdur, CPU time, tells a
  // slow task from one that waited for a core.
  let longest = null
  for (const e of events) {
    if (e.ph === 'X' && e.name === 'RunTask' && mainThreads.has(`${e.pid}:${e.tid}`) && (!longest || e.dur > longest.dur)) longest = e
  }
  return { value, longest_task_ms: longest ? longest.dur / 1000 : null, longest_task_cpu_ms: longest && longest.tdur != null ? longest.tdur / 1000 : null }
}

async function measure(ctx, sdk, runIdx, { withMemory, caps }) {
  const { browser, sink, pages } = ctx
  const isThis = sdk.id === 'this'
  const run = `${sdk.id}-${runIdx}-${Math.random().toString(36).slice(2, 8)}`
  const r = { name: sdk.name, notes: [], external: [] }
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    page.on('pageerror', (e) => log(`${sdk.id}: page error: ${e.message}`))
    // Only loopback may be loaded (Chromium is started so that nothing else
    // resolves); an SDK that still tries is reported.
    const loopback = /^(https?|wss?):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/]/
    page.on('request', (req) => {
      const u = req.url()
      if (!loopback.test(u) && !/^(data|blob|about):/.test(u)) r.external.push(u.slice(0, 80))
    })
    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' })
    await page.goto(pages.url + '/', { timeout: 30000 })
    if (!(await page.evaluate(() => bench.isolated()))) r.notes.push('page not cross-origin isolated: timer resolution 100 µs')

    // 1. Ready, and the longest main-thread task at start-up.
    const cfg = { sink: sink.url, run } // each peer entry appends its path
    const st = await traceLongestTask(cdp, async () => {
      const v = await withTimeout(page.evaluate(({ id, cfg }) => bench.load(id, cfg), { id: sdk.id, cfg }), 30000, 'load')
      await sleep(STARTUP_SETTLE_MS)
      return v
    })
    r.ready_ms = st.value.ready_ms
    r.longest_task_ms = st.longest_task_ms
    r.longest_task_cpu_ms = st.longest_task_cpu_ms

    const counters = async () => {
      return sink.counters(sdk.sink)
    }
    const delivered = async (phase) => {
      return sink.phase(sdk.sink, run, phase)
    }
    // waitFor polls until n events of the phase arrived, the deadline passed,
    // or nothing new arrived for stallMs.
    const waitFor = async (phase, n, deadline) => {
      let seen = -1
      let progress = wall()
      for (;;) {
        const d = await delivered(phase)
        if (d.count >= n) return { ...d, complete: true }
        if (d.count !== seen) { seen = d.count; progress = wall() }
        if (wall() > deadline) return { ...d, complete: false, why: 'timeout' }
        if (wall() - progress > CAPS.stallMs) return { ...d, complete: false, why: `nothing new for ${CAPS.stallMs / 1000} s` }
        await sleep(100)
      }
    }

    // Warm-up: JIT, connections and CORS preflight caches, as on a page in use.
    await withTimeout(page.evaluate(({ n }) => bench.trackN(n, 'warm'), { n: N_WARM }), 60000, 'warm-up')
    const warm = await waitFor('warm', N_WARM, wall() + 30000)
    if (!warm.complete) r.notes.push(`warm-up: ${warm.count}/${N_WARM} delivered`)

    // 2-4. The burst: per-call cost (synchronous, and all main-thread work)
    // and delivery.
    const m0 = await taskDuration(cdp)
    const c0 = await counters()
    const t0 = wall()
    let b = null
    try {
      b = await withTimeout(page.evaluate(({ n, cap }) => bench.burst(n, 'burst', 100, cap), { n: N_BURST, cap: caps.loopMs }), caps.burstMs, 'burst loop')
    } catch (e) {
      r.notes.push(e.message)
    }
    const start = b ? b.start : t0
    const calls = b ? b.calls : N_BURST
    r.calls = calls
    if (b && calls < N_BURST) r.loop_cut_s = Math.round(caps.loopMs / 1000)
    const d = await waitFor('burst', calls, start + caps.burstMs)
    if (d.complete) await sleep(IDLE_SETTLE_MS)
    const m1 = await taskDuration(cdp).catch(() => null)
    const c1 = await counters()
    r.track_us_p50 = b ? pct(b.us, 50) : null
    r.track_us_p99 = b ? pct(b.us, 99) : null
    r.track_total_us = m1 != null ? ((m1 - m0) * 1e6) / calls : null
    r.total_is_lower_bound = !d.complete
    if (m1 == null) r.notes.push('main thread still busy at give-up (no TaskDuration)')
    r.burst_ms = d.complete && calls === N_BURST ? d.last - start : null
    r.burst_requests = c1.requests - c0.requests
    r.burst_bytes = c1.bytes - c0.bytes
    r.burst_delivered = d.count
    if (!d.complete) r.gave_up = d.why

    // 5. The SDK under test: durability, and memory.
    if (isThis) {
      const tr = await withTimeout(page.evaluate(({ n }) => bench.durableTrickle(n, 'trickle', 5), { n: N_TRICKLE }), 60000, 'trickle')
      r.durable_ms_p50 = tr.p50
      await waitFor('trickle', N_TRICKLE, wall() + 30000) // the next phase starts idle
      const db = await withTimeout(page.evaluate(({ n }) => bench.durableBurst(n, 'dburst'), { n: N_BURST }), 120000, 'durable burst')
      r.burst_durable_ms = db.ms
      if (withMemory) {
        // Go's linear memory only grows, so its size once the 100,000th event
        // is stored is the peak so far.
        r.mem_before_fill_mb = (await page.evaluate(() => bench.wasmMemory())) / 2 ** 20
        const rest = N_MEMORY - N_WARM - N_BURST - N_TRICKLE - N_BURST
        const f = await withTimeout(page.evaluate(({ n, cap }) => bench.fill(n, 'fill', 10000, cap), { n: rest, cap: caps.fillMs }), caps.fillMs + 60000, 'fill')
        const mem = await page.evaluate(() => bench.wasmMemory())
        const total = N_MEMORY - rest + f.stored
        if (f.stored < rest) {
          r.notes.push(`memory: only ${total.toLocaleString('en-US')} events stored within ${Math.round(caps.fillMs / 1000)} s; ${mem == null ? '?' : (mem / 2 ** 20).toFixed(1)} MB then`)
        } else {
          r.wasm_memory_mb_100k = mem == null ? null : mem / 2 ** 20
        }
      }
    }
    sink.forget(sdk.sink, run)
  } catch (e) {
    r.notes.push(`run failed: ${e.message.split('\n')[0]}`)
    log(`${sdk.id} run ${runIdx}: ${e.stack || e.message}`)
  } finally {
    await withTimeout(context.close(), 30000, 'context close').catch((e) => log(e.message))
  }
  return r
}

// ---------- main ----------
const fmt = (x) => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(2))
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] }

async function main() {
  const sink = await startSink({ log })
  const pages = await startPages({ benchDir, distDir })
  const browser = await chromium.launch({
    executablePath: process.env.BENCH_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
      // A safety net: no host name resolves, so nothing but loopback IPs loads.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
    timeout: 60000,
  })
  const chromiumVersion = browser.version()
  const load0 = loadavg()[0]
  log(`Chromium ${chromiumVersion}; page ${pages.url}, sink ${sink.url}; up to ${runs} runs${quick ? ' (quick)' : ''}, ${Math.round((END - Date.now()) / 1000)} s left`)

  const perRun = new Map(sdks.map((s) => [s.name, []]))
  const took = new Map(sdks.map((s) => [s.name, []])) // ms per run
  const one = async (sdk, i, caps = CAPS) => {
    const t = Date.now()
    const r = await measure({ browser, sink, pages }, sdk, i, { withMemory: i === 1, caps })
    took.get(sdk.name).push(Date.now() - t)
    perRun.get(sdk.name).push(r)
    log(`run ${i} ${sdk.id}: ready ${fmt(r.ready_ms)} ms, longest ${fmt(r.longest_task_ms)} ms, track p50 ${fmt(r.track_us_p50)} µs, p99 ${fmt(r.track_us_p99)} µs, total ${fmt(r.track_total_us)} µs, burst ${fmt(r.burst_ms)} ms, ${r.burst_requests} req, ${r.burst_delivered} delivered` +
      (sdk.id === 'this' ? `, durable p50 ${fmt(r.durable_ms_p50)} ms, burst durable ${fmt(r.burst_durable_ms)} ms${r.wasm_memory_mb_100k != null ? `, mem ${fmt(r.wasm_memory_mb_100k)} MB` : ''}` : '') +
      ` (${((Date.now() - t) / 1000).toFixed(1)} s)${r.notes.length ? ' — ' + r.notes.join('; ') : ''}${r.external.length ? ' — tried to load: ' + [...new Set(r.external)].join(', ') : ''}`)
  }
  const skipped = new Map()
  try {
    // Run 1 of everything, the SDK under test first. Should the builds have
    // eaten into the budget, the caps shrink to each SDK's share of what is
    // left (the SDK under test, with its extra phases, counts three times).
    const weight = (s) => (s.id === 'this' ? 3 : 1)
    for (const [k, sdk] of sdks.entries()) {
      const share = ((END - Date.now()) * weight(sdk)) / sdks.slice(k).reduce((n, s) => n + weight(s), 0)
      const caps = {
        loopMs: Math.min(CAPS.loopMs, Math.max(5000, share * 0.45)),
        burstMs: Math.min(CAPS.burstMs, Math.max(10000, share - 8000)),
        stallMs: CAPS.stallMs,
        fillMs: Math.min(CAPS.fillMs, Math.max(5000, share * 0.75)),
      }
      await one(sdk, 1, caps)
    }
    // Further runs while time is left. The SDK under test's first (its time
    // is reserved); then the peers whose run took under CHEAP_MS, up to all
    // runs, cheapest first; then the slow ones, with what is left.
    const me = sdks.find((s) => s.id === 'this')
    // Run 1 of the SDK under test included the memory phase; later ones do not.
    const estThis = () => (took.get('this').length > 1 ? median(took.get('this').slice(1)) : took.get('this')[0] * 0.4)
    const est = (s) => (s === me ? estThis() : median(took.get(s.name)))
    const CHEAP_MS = 30_000
    const peers = sdks.filter((s) => s !== me).sort((a, b) => est(a) - est(b))
    const groups = [[...(me ? [me] : []), ...peers.filter((s) => est(s) <= CHEAP_MS)], peers.filter((s) => est(s) > CHEAP_MS)]
    for (const group of groups) {
      for (let i = 2; i <= runs; i++) {
        for (const sdk of group) {
          if (perRun.get(sdk.name).length >= i) continue
          const thisLeft = me && sdk !== me ? estThis() * (runs - perRun.get('this').length) : 0
          if (Date.now() + est(sdk) + thisLeft > END) continue
          await one(sdk, i)
        }
      }
    }
    for (const s of sdks) if (perRun.get(s.name).length < runs) skipped.set(s.name, runs - perRun.get(s.name).length)
  } finally {
    await browser.close().catch(() => {})
    await sink.close()
    await pages.close()
  }

  const sizeOf = { this: sizes([join(distDir, 'exponea.js'), join(distDir, 'exponea.worker.js'), join(distDir, 'exponea.wasm')]) }
  for (const s of SDKS) if (s.id !== 'this') sizeOf[s.id] = sizes([join(benchDir, 'dist/peers', s.id + '.js')])
  const md = writeReport({
    raw: join(benchDir, 'dist/last-runs.json'),
    dir: join(benchDir, 'results'), date: new Date(T0).toISOString(), runs, quick, sdks, sizeOf, perRun, skipped, chromium: chromiumVersion,
    floor: sizes([join(benchDir, 'dist/floor.wasm'), join(benchDir, 'dist/wasm_exec.min.js')]),
    floorWasm: sizes([join(benchDir, 'dist/floor.wasm')]),
    thisWasm: sizes([join(distDir, 'exponea.wasm')]),
    unknown: sink.unknown(), seconds: (Date.now() - T0) / 1000, load: [load0, loadavg()[0]],
    limits: { ...CAPS, nBurst: N_BURST },
  })
  process.stdout.write(md)
}

main().catch((e) => { console.error(e); process.exit(1) })
