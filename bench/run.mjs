// Orchestrates the benchmark: one headless Chromium, one page origin, one
// loopback sink for every SDK, the one under test included; every
// SDK measured up to `runs` times (runs interleaved, so drift of the machine
// hits all alike), medians written by report.mjs.
//
// Environment: BENCH_QUICK=1 (3 runs, shorter caps), BENCH_RUNS=n,
// BENCH_ONLY=this,posthog (a subset, for development), BENCH_T0_MS (when
// run.sh started, so the time budget covers the builds too),
// BENCH_BUDGET_S (the whole run's budget), BENCH_CHROMIUM,
// BENCH_TRACE_DUMP=dir (writes each burst's trace events there, as JSON),
// BENCH_TRACE_CATEGORIES=cats (more trace categories for the burst, e.g.
// disabled-by-default-v8.cpu_profiler for a CPU profile of every thread),
// BENCH_STARTUP_TRACE_CATEGORIES=cats (the start-up trace's categories, in
// place of STARTUP_CATEGORIES: e.g. add v8,blink,loading to see more of
// what the longest task ran),
// BENCH_CONTENT_RUNS=n (the page-content runs, 3 by default),
// BENCH_CONTENT_ONLY=1 (only the page-content phase, printed, no report),
// BENCH_THIS_START=eager (the page-content phase with another start mode),
// BENCH_BURST_ONLY=1 (only the warm-up and the burst, printed, no report).
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib'
import { chromium } from 'playwright-core'
import { startSink } from './sink.mjs'
import { startPages } from './pages.mjs'
import { writeReport } from './report.mjs'
import { disableFeatures } from '../e2e/engines/chromium-flags.mjs'

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

// The trickle phase: one event every TRICKLE_EVERY_MS, for 40 s (quick: 20 s).
const TRICKLE_EVERY_MS = 500
const N_TRICKLE_PAGE = (quick ? 20_000 : 40_000) / TRICKLE_EVERY_MS

// Time. `make bench` must end within 12 minutes on 2 cores, builds included,
// and some peers need minutes for one burst (Segment), or never finish it
// (Mixpanel). So: the phases of fixed cost first (the trickle, memory per
// tab); then every SDK gets one run with these caps; further runs are
// made, cheapest SDK first, while the time left allows (the SDK under test
// first of all); the report says how many runs each median is of.
const T0 = Number(process.env.BENCH_T0_MS) || Date.now()
const BUDGET_MS = (Number(process.env.BENCH_BUDGET_S) || (quick ? 420 : 680)) * 1000
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
const elapsed = () => `${Math.round((Date.now() - T0) / 1000)} s`

// withTimeout bounds every step that waits on the page.
function withTimeout(p, ms, what) {
  let t
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms) })])
    .finally(() => clearTimeout(t))
}

// ---------- sizes ----------
// Each file's sizes once (brotli -q 11 of the 4 MB wasm takes ~10 s here).
const sizeMemo = new Map()
function fileSizes(f) {
  if (!sizeMemo.has(f)) {
    const b = readFileSync(f)
    sizeMemo.set(f, {
      raw_bytes: b.length,
      gzip_bytes: gzipSync(b, { level: 9 }).length,
      // brotli -q 11 with the CLI's default 16 MB window (lgwin 24).
      brotli_bytes: brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_LGWIN]: 24, [zc.BROTLI_PARAM_SIZE_HINT]: b.length } }).length,
    })
  }
  return sizeMemo.get(f)
}
function sizes(files) {
  const out = { raw_bytes: 0, gzip_bytes: 0, brotli_bytes: 0 }
  for (const f of files) for (const [k, v] of Object.entries(fileSizes(f))) out[k] += v
  return out
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

// trace runs `during` under a CDP trace (by default devtools.timeline, the
// disabled-by-default part included, which holds Chromium's v8.wasm.*
// code-cache events) and returns its value with the trace events.
async function trace(cdp, during, categories = 'devtools.timeline,disabled-by-default-devtools.timeline') {
  const events = []
  const onData = (e) => { for (const x of e.value) events.push(x) }
  cdp.on('Tracing.dataCollected', onData)
  await cdp.send('Tracing.start', { categories, transferMode: 'ReportEvents' })
  let value
  try { value = await during() } finally {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r))
    await cdp.send('Tracing.end')
    await withTimeout(done, 30000, 'trace end')
    cdp.off('Tracing.dataCollected', onData)
  }
  return { value, events }
}

// STARTUP_CATEGORIES: the start-up trace, under which ready is measured:
// the categories ready has always been measured under (toplevel, an event
// for every task of every thread, would name more of what ran beside the
// longest task, at the cost of more tracing work during the measurement).
const STARTUP_CATEGORIES = 'devtools.timeline,disabled-by-default-devtools.timeline'

// longestTask returns the longest main-thread task (ms) of the page's
// renderer in a devtools.timeline trace: the longtask observer only sees
// tasks of 50 ms and more.
function longestTask(events) {
  const mainThreads = new Set(events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args && e.args.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`))
  // dur is wall time (what the page's user waits); tdur, CPU time, tells a
  // slow task from one that waited for a core.
  let longest = null
  for (const e of events) {
    if (e.ph === 'X' && e.name === 'RunTask' && mainThreads.has(`${e.pid}:${e.tid}`) && (!longest || e.dur > longest.dur)) longest = e
  }
  return {
    longest_task_ms: longest ? longest.dur / 1000 : null,
    longest_task_cpu_ms: longest && longest.tdur != null ? longest.tdur / 1000 : null,
    longest_task_cause: longest ? taskCause(events, longest) : null,
  }
}

// taskCause names what task ran: the chain of trace events that fill it
// (each more than half of the one before), the longest three events in
// the last of them, and what else ran meanwhile: the other threads the
// trace holds that were busy while the task was (CPU ms of their tasks
// overlapping it), e.g. (2026-12-05) "EventDispatch (load) 17.7, CPU 3.1 ms
// [FunctionCall (measure.js) 0.0, CPU 0.0 ms]; meanwhile CrBrowserMain
// 5.8 ms CPU". A task much longer than its CPU time waited for a core.
function taskCause(events, task) {
  const end = task.ts + task.dur
  const inside = events
    .filter((e) => e !== task && e.ph === 'X' && e.pid === task.pid && e.tid === task.tid && e.ts >= task.ts && e.ts + (e.dur || 0) <= end && e.dur > 0)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur)
  // Each event's parent is the innermost event that holds it.
  const kids = new Map([[task, []]])
  const stack = [task]
  for (const e of inside) {
    while (stack.length > 1 && e.ts >= stack[stack.length - 1].ts + stack[stack.length - 1].dur) stack.pop()
    kids.get(stack[stack.length - 1]).push(e)
    kids.set(e, [])
    stack.push(e)
  }
  const label = (e) => {
    const d = (e.args && (e.args.data || e.args.beginData)) || {}
    const what = d.url ? d.url.split('/').pop().split('?')[0] : d.functionName || d.type || ''
    const cpu = e.tdur != null ? `, CPU ${(e.tdur / 1000).toFixed(1)}` : ''
    return `${e.name}${what ? ` (${what})` : ''} ${(e.dur / 1000).toFixed(1)}${cpu} ms`
  }
  const longest = (e) => [...kids.get(e)].sort((a, b) => b.dur - a.dur)
  const chain = []
  let at = task
  for (;;) {
    const [first] = longest(at)
    if (!first || first.dur * 2 < at.dur) break
    chain.push(first)
    at = first
  }
  const rest = longest(at).slice(0, 3)
  let out = chain.length ? chain.map(label).join(' > ') : 'no trace event fills it'
  if (rest.length) out += ` [${rest.map(label).join(', ')}]`
  // The other threads' tasks meanwhile, by thread name.
  const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]))
  // Tasks once each: toplevel's where the trace has them, else devtools.timeline's.
  const kinds = events.some((e) => e.name === 'ThreadControllerImpl::RunTask') ? ['ThreadControllerImpl::RunTask', 'ThreadPool_RunTask'] : ['RunTask']
  const busy = new Map()
  for (const e of events) {
    if (e.ph !== 'X' || !kinds.includes(e.name) || (e.pid === task.pid && e.tid === task.tid) || !e.dur) continue
    const overlap = Math.min(end, e.ts + e.dur) - Math.max(task.ts, e.ts)
    if (overlap <= 0) continue
    const name = (names.get(`${e.pid}:${e.tid}`) || 'thread').replace(/\d+$/, '')
    busy.set(name, (busy.get(name) || 0) + overlap * (e.tdur != null ? e.tdur / e.dur : 1))
  }
  const others = [...busy].sort((a, b) => b[1] - a[1]).slice(0, 3).filter(([, us]) => us >= 500)
  if (others.length) out += `; meanwhile ${others.map(([n, us]) => `${n} ${(us / 1000).toFixed(1)} ms CPU`).join(', ')}`
  return out
}

// CPU_CATEGORIES: the trace of the burst, for cpuByThread. toplevel has an
// event for every task of every thread (ThreadControllerImpl::RunTask,
// ThreadPool_RunTask) and for the microtask checkpoints Blink runs after a
// task, outside its RunTask (BlinkScheduler_PerformMicrotaskCheckpoint:
// where a Promise-heavy SDK spends much of its time), each with its thread
// CPU time (tdur); devtools.timeline's events name the frame they ran for,
// which tells the page's renderer process apart.
const CPU_CATEGORIES = 'devtools.timeline,toplevel'

// cpuByThread sums the thread CPU time (tdur, ms) of the top-level toplevel
// events (tasks and microtask checkpoints) in a CPU_CATEGORIES trace, on the threads of the page's renderer process(es):
// main (CrRendererMain), worker (every DedicatedWorker thread: an SDK's
// Worker) and pool (the renderer's other threads: V8's background compile
// and GC helpers, not part of the total). The renderer is the process whose
// devtools.timeline events name a frame (a spare renderer has none); if no
// event does, every process with a CrRendererMain thread.
function cpuByThread(events) {
  const names = new Map()
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args) names.set(`${e.pid}:${e.tid}`, e.args.name)
  let pids = new Set(events.filter((e) => e.cat && e.cat.includes('devtools.timeline') && e.args && e.args.data && e.args.data.frame).map((e) => e.pid))
  if (!pids.size) pids = new Set([...names].filter(([, n]) => n === 'CrRendererMain').map(([k]) => Number(k.split(':')[0])))
  const pagePids = new Set(pids)
  // A SharedWorker may run in a renderer process of its own (Chromium, for
  // a cross-origin isolated page): its process counts too, but for its
  // idle main thread.
  for (const [k, n] of names) if (/^SharedWorker/.test(n)) pids.add(Number(k.split(':')[0]))
  const byThread = new Map()
  for (const e of events) {
    if (e.ph !== 'X' || !pids.has(e.pid) || !e.cat || !e.cat.split(',').includes('toplevel')) continue
    const k = `${e.pid}:${e.tid}`
    if (!byThread.has(k)) byThread.set(k, [])
    byThread.get(k).push(e)
  }
  const out = { main: 0, worker: 0, pool: 0, workers: 0, tasks: 0 }
  for (const [k, tasks] of byThread) {
    const name = names.get(k) || ''
    const kind = name === 'CrRendererMain' ? (pagePids.has(Number(k.split(':')[0])) ? 'main' : 'pool') : /^(Dedicated|Shared)Worker/.test(name) ? 'worker' : 'pool'
    if (kind === 'worker') out.workers++
    // Top-level events only: one nested in another (a nested run loop, a
    // checkpoint inside a task) is already in its parent's time.
    tasks.sort((a, b) => a.ts - b.ts)
    let end = -Infinity
    for (const t of tasks) {
      if (t.ts < end) continue
      end = t.ts + (t.dur || 0)
      out[kind] += (t.tdur != null ? t.tdur : t.dur || 0) / 1000
      out.tasks++
    }
  }
  return out
}

// wasmCache tells what a trace says of Chromium's code cache for wasm:
// streamed (v8.wasm.streamFromResponseCallback: the module was compiled
// from a streamed response, the only kind whose code is cached), written
// (v8.wasm.cachedModule), hit (v8.wasm.moduleCacheHit), invalid.
function wasmCache(events) {
  const has = (n) => events.some((e) => e.name === n)
  return {
    streamed: has('v8.wasm.streamFromResponseCallback'),
    written: has('v8.wasm.cachedModule'),
    hit: has('v8.wasm.moduleCacheHit'),
    invalid: has('v8.wasm.moduleCacheInvalid'),
  }
}

// ---------- the browser's memory ----------
// chromiumTree returns the processes of the Chromium this bench started (the
// descendants of this Node process that are Chromium) with their RSS
// (bytes): the browser, its zygotes, GPU, network and renderer processes.
// (Not PSS: the binary's pages are shared with any other Chromium on the
// machine, so a process's PSS moves with what other users run.)
function chromiumTree() {
  const kids = new Map()
  const cmd = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (!kids.has(ppid)) kids.set(ppid, [])
      kids.get(ppid).push(Number(d))
      cmd.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8'))
    } catch {} // gone meanwhile
  }
  const out = []
  const walk = (pid) => {
    for (const k of kids.get(pid) || []) {
      if (/chrom/i.test(cmd.get(k) || '')) {
        try {
          const type = (/--type=([\w-]+)/.exec(cmd.get(k)) || [, 'browser'])[1]
          const util = (/--utility-sub-type=([\w.-]+)/.exec(cmd.get(k)) || [])[1]
          const st = readFileSync(`/proc/${k}/status`, 'utf8')
          const kb = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(st) || [, 0])[1]) * 1024
          out.push({ pid: k, type: util ? util.split('.').pop() : type, rss: kb('VmRSS'), anon: kb('RssAnon') + kb('RssShmem') })
        } catch {} // gone meanwhile
      }
      walk(k)
    }
  }
  walk(process.pid)
  return out
}
const treeMem = () => {
  const t = chromiumTree()
  const byType = {}
  for (const p of t) byType[p.type] = (byType[p.type] || 0) + p.rss
  return { n: t.length, rss: t.reduce((a, p) => a + p.rss, 0), anon: t.reduce((a, p) => a + p.anon, 0), byType }
}
// memDetail: the RSS of one measurement by kind of process, in MB
// (BENCH_MEM_DETAIL=1 logs it: where an SDK's memory goes).
const memDetail = (m) => Object.entries(m.byType).sort().map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(1)}`).join(', ')

// watchExternal notes any attempt to load a non-loopback URL: Chromium is
// started so that nothing else resolves; an SDK that still tries is reported.
const loopback = /^(https?|wss?):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/]/
function watchExternal(page, r) {
  page.on('request', (req) => {
    const u = req.url()
    if (!loopback.test(u) && !/^(data|blob|about):/.test(u)) r.external.push(u.slice(0, 80))
  })
}

// openPage opens a page in context as every measurement does: page errors
// logged, external loads noted, CDP with thread-time TaskDuration.
async function openPage(context, sdkId, r) {
  const page = await context.newPage()
  page.on('pageerror', (e) => log(`${sdkId}: page error: ${e.message}`))
  watchExternal(page, r)
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' })
  return { page, cdp }
}

// loadSDK loads one SDK into a page of the bench and starts it: bench.load.
// BENCH_THIS_HOST: where the SDK under test runs (its host option), to
// compare hosts; default its default.
const loadSDK = (page, id, cfg, prefix = '') => {
  if (id === 'this' && process.env.BENCH_THIS_HOST && !cfg.host) cfg = { ...cfg, host: process.env.BENCH_THIS_HOST }
  return withTimeout(page.evaluate(({ id, cfg, prefix }) => bench.load(id, cfg, prefix), { id, cfg, prefix }), 30000, 'load')
}

// coldRaw: the SDK under test's ready time with its files served raw (no
// compression), in a fresh context, under the same trace as the cold run.
// With host 'worker' instead (coldWorker): the SDK under test started in a
// dedicated Worker, as before the SharedWorker host, beside its default.
// With plain: on a page that is not cross-origin isolated (/plain/), where
// Chromium runs a SharedWorker in the page's process, not one of its own.
async function coldRaw(ctx, sdk, run, r, { prefix = '/raw', host, plain = false } = {}) {
  const context = await ctx.browser.newContext()
  try {
    const { page, cdp } = await openPage(context, sdk.id, r)
    await page.goto(ctx.pages.url + (plain ? '/plain/' : '/'), { timeout: 30000 })
    const { value } = await trace(cdp, () => loadSDK(page, sdk.id, { sink: ctx.sink.url, run, host }, prefix))
    return { ready_ms: value.ready_ms, startup: value.startup }
  } finally {
    await withTimeout(context.close(), 30000, 'context close').catch((e) => log(e.message))
  }
}

// coldFloor: the size floor's cold start (bench.floor) in a fresh context,
// on the page and served as the SDK's cold runs are: the least a Go program
// takes to be running in a dedicated Worker here.
async function coldFloor(ctx, r) {
  const context = await ctx.browser.newContext()
  try {
    const { page } = await openPage(context, 'floor', r)
    await page.goto(ctx.pages.url + '/', { timeout: 30000 })
    return (await withTimeout(page.evaluate(() => bench.floor()), 30000, 'floor')).ready_ms
  } finally {
    await withTimeout(context.close(), 30000, 'context close').catch((e) => log(e.message))
  }
}

// secondVisit: a visitor comes back. In Chromium's persistent profile (a
// context of browser.newContext() is off the record: it keeps no code
// cache at all, not even for scripts), on a page origin of its own (a fresh
// port: nothing shared with another measurement), with cacheable responses
// (/cached/: max-age and an ETag): the first visit loads the SDK, tracks a
// few events and stays FIRST_VISIT_MS (V8 writes a wasm code cache only
// after its compiled code has settled for ~2 s; a peer, which has no wasm,
// stays 1 s, for its events to go); then that tab closes and a new tab of
// the same profile loads the page again: its ready time.
const FIRST_VISIT_MS = 3000
async function secondVisit(ctx, sdk, run, r) {
  const origin = await ctx.pages.fresh()
  const persistent = await ctx.persistent()
  await persistent.clearCookies() // cookies do not tell ports apart
  const cfg = { sink: ctx.sink.url, run }
  try {
    const v1 = await openPage(persistent, sdk.id, r)
    await v1.page.goto(origin.url + '/', { timeout: 30000 })
    const t1 = await trace(v1.cdp, async () => {
      await loadSDK(v1.page, sdk.id, cfg, '/cached')
      await v1.page.evaluate(() => bench.trackN(5, 'visit1'))
      await sleep(sdk.id === 'this' ? FIRST_VISIT_MS : 1000)
    })
    await v1.page.close()
    const s1 = origin.served()
    const v2 = await openPage(persistent, sdk.id, r)
    await v2.page.goto(origin.url + '/', { timeout: 30000 })
    const t2 = await trace(v2.cdp, () => loadSDK(v2.page, sdk.id, cfg, '/cached'))
    await sleep(200)
    const s2 = origin.served()
    await v2.page.close()
    const w1 = wasmCache(t1.events), w2 = wasmCache(t2.events)
    return {
      ready_ms: t2.value.ready_ms,
      startup: t2.value.startup,
      // SDK files the second visit fetched again in full (200) or revalidated (304).
      refetched: s2.br + s2.raw - (s1.br + s1.raw),
      revalidated: s2.notModified - s1.notModified,
      first_files: s1.br + s1.raw,
      wasm_cache: sdk.id === 'this' ? { streamed: w2.streamed, written: w1.written, hit: w2.hit, invalid: w2.invalid } : undefined,
    }
  } finally {
    await origin.close()
  }
}

// ---------- a visit: the pages of one site, in one tab ----------
// A visitor walks VISIT_PAGES pages of a site in one tab. Each page loads the
// SDK (files cacheable, /cached/: the HTTP cache serves them after the
// first page), waits VISIT_DWELL_MS after ready, then tracks a click and
// leaves for the next page in the same task, as a link that tracks does.
// Per SDK: ready on the pages after the first (median), and of the clicks,
// how many never arrived and how many arrived more than once (the sink
// does not dedupe, as a backend that does not would not).
const VISIT_PAGES = 8
const VISIT_DWELL_MS = 300
async function visitPhase({ browser, sink, pages }, list) {
  const out = new Map()
  for (const sdk of list) {
    const r = { notes: [], external: [] }
    const run = `visit-${sdk.id}-${Math.random().toString(36).slice(2, 8)}`
    const context = await browser.newContext()
    const readies = []
    const clicks = VISIT_PAGES - 1
    try {
      const page = await context.newPage()
      page.on('pageerror', (e) => log(`${sdk.id}: page error: ${e.message}`))
      watchExternal(page, r)
      const cfg = { sink: sink.url, run }
      await page.goto(pages.url + '/plain/?visit=0', { timeout: 30000 })
      for (let i = 0; ; i++) {
        const v = await loadSDK(page, sdk.id, cfg, '/plain/cached')
        if (i > 0) readies.push(v.ready_ms)
        if (i > 0 && sdk.id === 'this' && process.env.BENCH_VISIT_ONLY === '1') log(`visit this, page ${i + 1}: ${JSON.stringify(v.startup)}`)
        if (i === clicks) break
        await sleep(VISIT_DWELL_MS)
        const next = `?visit=${i + 1}`
        const arrived = page.waitForURL((u) => u.search === next, { waitUntil: 'load', timeout: 30000 })
        await page.evaluate(({ i, url }) => bench.trackAndLeave(i, 'visit', url), { i, url: '/plain/' + next }).catch(() => {}) // the page goes
        await arrived
      }
      const deadline = wall() + 15000
      while (sink.phase(sdk.sink, run, 'visit').count < clicks && wall() < deadline) await sleep(100)
      await sleep(3000) // what comes again comes late
      const ph = sink.phase(sdk.sink, run, 'visit')
      out.set(sdk.name, {
        visit_ready_ms: readies.length ? median(readies) : null, visit_readies: readies,
        visit_lost: clicks - ph.count, visit_dupes: ph.dupes, visit_clicks: clicks, notes: r.notes, external: r.external,
      })
      log(`visit ${sdk.id}: ready on pages 2–${VISIT_PAGES} ${readies.map((x) => fmt(x)).join(', ')} ms (median ${fmt(median(readies))}), clicks ${clicks}: ${clicks - ph.count} lost, ${ph.dupes} received twice${r.notes.length ? ' — ' + r.notes.join('; ') : ''}`)
    } catch (e) {
      r.notes.push(`visit phase failed: ${e.message.split('\n')[0]}`)
      out.set(sdk.name, { visit_ready_ms: null, notes: r.notes, external: r.external })
      log(`visit ${sdk.id}: ${e.stack || e.message}`)
    } finally {
      sink.forget(sdk.sink, run)
      await withTimeout(context.close(), 30000, 'context close').catch((e) => log(e.message))
    }
  }
  return out
}

// ---------- the trickle phase ----------
// Every SDK's page (and one idle page: the same timer, no SDK) in a context
// of its own, all at once: one event every `every` ms, n in all. Per SDK the
// page's main-thread CPU time (TaskDuration, thread ticks) over the phase,
// less the idle page's over as long, per event: what an event costs a page
// that tracks one now and then, everything it causes included (the call,
// posts and answers, timers, requests, responses). The load is tiny (2
// events/s per page), so running them side by side costs little accuracy
// and saves a phase per SDK.
const TRICKLE_SETTLE_MS = 2000 // before: start-up work done; after: the last event's work done
async function tricklePhase({ browser, sink, pages }, list, { n, every }) {
  const run = `trickle-${Math.random().toString(36).slice(2, 8)}`
  const slots = [{ id: 'idle', name: 'idle' }, ...list].map((sdk) => ({ sdk, r: { notes: [], external: [] } }))
  const out = new Map()
  try {
    // Loaded one after the other (start-up is not what is measured here).
    for (const s of slots) {
      try {
        s.context = await browser.newContext()
        Object.assign(s, await openPage(s.context, s.sdk.id, s.r))
        await s.page.goto(pages.url + '/', { timeout: 30000 })
        await loadSDK(s.page, s.sdk.id, { sink: sink.url, run })
        s.loaded = true
      } catch (e) {
        s.r.notes.push(`trickle: cannot start (${e.message.split('\n')[0]})`)
      }
    }
    await sleep(TRICKLE_SETTLE_MS)
    await Promise.all(slots.map(async (s) => {
      if (!s.loaded) return
      try {
        const m0 = await taskDuration(s.cdp)
        const w0 = wall()
        await withTimeout(s.page.evaluate(({ n, every }) => bench.trickle(n, 'trickle', every), { n, every }), n * every + 30000, 'trickle')
        await sleep(TRICKLE_SETTLE_MS)
        const m1 = await taskDuration(s.cdp)
        s.cpu_ms = (m1 - m0) * 1000
        s.window_ms = wall() - w0
      } catch (e) {
        s.r.notes.push(`trickle: ${e.message.split('\n')[0]}`)
      }
    }))
    const idle = slots[0]
    const idleRate = idle.cpu_ms != null ? idle.cpu_ms / idle.window_ms : null
    for (const s of slots.slice(1)) {
      const d = sink.phase(s.sdk.sink, run, 'trickle')
      if (d.count < n) s.r.notes.push(`trickle: ${d.count}/${n} events delivered`)
      out.set(s.sdk.name, {
        trickle_ms_per_event: s.cpu_ms != null && idleRate != null ? (s.cpu_ms - idleRate * s.window_ms) / n : null,
        trickle_cpu_ms: s.cpu_ms, trickle_window_ms: s.window_ms,
        trickle_idle_cpu_ms: idleRate != null ? idleRate * s.window_ms : null,
        trickle_delivered: d.count, notes: s.r.notes, external: s.r.external,
      })
      sink.forget(s.sdk.sink, run)
    }
    if (idleRate == null) log(`trickle: no idle baseline (${idle.r.notes.join('; ')})`)
  } finally {
    for (const s of slots) if (s.context) await withTimeout(s.context.close(), 30000, 'context close').catch((e) => log(e.message))
  }
  return out
}

// ---------- page content on a slow link ----------
// A product page whose main content is an ~800 KB image, on a throttled
// link (CDP Network.emulateNetworkConditions: 1.6 Mbit/s down, 750 kbit/s
// up, 150 ms RTT — DevTools' "Slow 4G"), cold (a fresh context; every file
// no-store), the SDK files brotli as for every cold run, the image as it
// is. The SDK is loaded with <script async> in the head, then configured
// with 3 events (pages.mjs, measure.js bench.content). Per page: when the
// main image loaded and when the load event fired (ms since navigation
// start), and whether the 3 events reached the sink (and when). No SDK,
// this SDK and each peer, CONTENT_RUNS times, round-robin (so drift on a
// shared machine falls on all alike).
const CONTENT_RUNS = Number(process.env.BENCH_CONTENT_RUNS) || 3
const SLOW_LINK = { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8) }
const CONTENT_DELIVERY_MS = 30000
async function contentPage({ browser, sink, pages }, sdk, i) {
  const r = { notes: [], external: [] }
  const context = await browser.newContext()
  const run = `content-${sdk ? sdk.id : 'none'}-${i}-${Math.random().toString(36).slice(2, 8)}`
  try {
    const { page, cdp } = await openPage(context, sdk ? sdk.id : 'none', r)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
    await cdp.send('Network.emulateNetworkConditions', SLOW_LINK)
    const q = new URLSearchParams({ sdk: sdk ? sdk.id : 'none', sink: sink.url, run, start: process.env.BENCH_THIS_START || '' })
    await page.goto(`${pages.url}/content.html?${q}`, { waitUntil: 'load', timeout: 60000 })
    const t = await page.evaluate(() => ({ image: window.__heroAt, load: window.__loadAt, origin: performance.timeOrigin, content: window.__content || null }))
    const out = { image_ms: t.image ?? null, load_ms: t.load ?? null, delivered: null, delivered_ms: null, notes: r.notes }
    if (sdk) {
      const deadline = wall() + CONTENT_DELIVERY_MS
      while (sink.phase(sdk.sink, run, 'content').count < 3 && wall() < deadline) await sleep(100)
      const d = sink.phase(sdk.sink, run, 'content')
      out.delivered = d.count
      out.delivered_ms = d.count === 3 ? d.last - t.origin : null
      if (d.count < 3) r.notes.push(`page content: ${d.count} of 3 events delivered within ${CONTENT_DELIVERY_MS / 1000} s`)
      sink.forget(sdk.sink, run)
    }
    return out
  } finally {
    await withTimeout(context.close(), 30000, 'context close').catch((e) => log(e.message))
  }
}

async function contentPhase(ctx, list) {
  const order = [null, ...list]
  const out = new Map(order.map((s) => [s ? s.name : 'none', []]))
  for (let i = 1; i <= CONTENT_RUNS; i++) {
    for (const sdk of order) {
      const name = sdk ? sdk.name : 'none'
      try {
        const x = await contentPage(ctx, sdk, i)
        out.get(name).push(x)
        log(`page content ${sdk ? sdk.id : 'no SDK'} run ${i}: image ${fmt(x.image_ms)} ms, load ${fmt(x.load_ms)} ms${sdk ? `, ${x.delivered}/3 delivered${x.delivered_ms != null ? ` at ${fmt(x.delivered_ms)} ms` : ''}` : ''}${x.notes.length ? ' — ' + x.notes.join('; ') : ''}`)
      } catch (e) {
        out.get(name).push({ image_ms: null, load_ms: null, delivered: null, delivered_ms: null, notes: [`page content failed: ${e.message.split('\n')[0]}`] })
        log(`page content ${sdk ? sdk.id : 'no SDK'} run ${i}: ${e.stack || e.message}`)
      }
    }
  }
  return out
}

// ---------- memory per open tab ----------
// The RSS of the whole Chromium process tree with 1 and with TABS tabs of
// an SDK's page (each started and having tracked a few events, all
// delivered) minus the same with the bench page without an SDK (the same
// steps, with the 'idle' stand-in). All tabs of one context: one profile,
// as a visitor's tabs share one; the reading with 1 tab is taken before
// the context's next tabs open. On pages that are not cross-origin
// isolated (/plain/), as most sites' are not.
const TABS = 3
async function tabsMem({ browser, sink, pages }, sdk, r, counts = [1, TABS]) {
  const before = chromiumTree().length
  const context = await browser.newContext()
  const run = `mem-${sdk ? sdk.id : 'blank'}-${Math.random().toString(36).slice(2, 8)}`
  const out = new Map()
  try {
    const tabs = []
    for (const n of counts) {
      while (tabs.length < n) {
        const i = tabs.length
        const page = await context.newPage()
        page.on('pageerror', (e) => log(`${sdk ? sdk.id : 'blank'}: page error: ${e.message}`))
        watchExternal(page, r)
        await page.goto(pages.url + '/plain/', { timeout: 30000 })
        // The blank tabs take the same steps with the 'idle' stand-in, which
        // loads nothing: the harness's own code (Playwright's evaluate, the
        // bench page's) runs in both, so only the SDK's is in the difference
        // (it was ~1.4 MB of each SDK tab's RSS in Chromium 156).
        await loadSDK(page, sdk ? sdk.id : 'idle', { sink: sink.url, run }, '/plain')
        await page.evaluate((phase) => bench.trackN(5, phase), `mem${i}`)
        tabs.push(page)
      }
      if (sdk) {
        // Every tab's 5 events must arrive: the SDK is running in each.
        const got = () => tabs.map((_, i) => sink.phase(sdk.sink, run, `mem${i}`).count)
        const deadline = wall() + 15000
        while (got().some((c) => c < 5) && wall() < deadline) await sleep(100)
        if (got().some((c) => c < 5)) r.notes.push(`memory: events delivered per tab ${got().join(', ')} of 5`)
      }
      await sleep(2000)
      const reads = []
      for (let i = 0; i < 3; i++) { reads.push(treeMem()); await sleep(250) }
      reads.sort((a, b) => a.rss - b.rss)
      if (process.env.BENCH_MEM_DETAIL === '1') log(`memory ${sdk ? sdk.id : 'blank'}, ${n} tabs: ${memDetail(reads[1])} MB`)
      out.set(n, reads[1])
    }
    if (sdk) sink.forget(sdk.sink, run)
    return out
  } finally {
    await withTimeout(context.close(), 30000, 'context close').catch((e) => log(e.message))
    // The context's renderers take a moment to go.
    const deadline = wall() + 5000
    while (chromiumTree().length > before && wall() < deadline) await sleep(100)
  }
}

// The memory the SDK adds to one tab, and to TABS tabs of one origin (an
// SDK whose tabs share one runtime adds little for the second and third).
// Per SDK, one after the other: blank, SDK, blank, against the mean of the
// two blanks (the browser's own processes drift as contexts come and go,
// by a few MB between two readings; the order cancels a steady drift), or
// of the one that ran as many processes as the SDK's reading (below).
const MEM_ORDER = [false, true, false]
const signed = (x) => `${x < 0 ? '' : '+'}${x.toFixed(1)}`
async function memoryPhase(ctx, list) {
  const out = new Map()
  // The browser's own processes grow most over its first contexts (by
  // ~6 MB over the first two, then by <1 MB a context): one blank context
  // first, unread, so that the first blank reading is not of a fresher
  // browser than the rest.
  await tabsMem(ctx, null, { notes: [], external: [] }).catch((e) => log(`memory warm-up: ${e.message}`))
  for (const sdk of list) {
    const r = { notes: [], external: [] }
    try {
      const got = [] // blank, SDK, blank
      for (const withSDK of MEM_ORDER) got.push(await tabsMem(ctx, withSDK ? sdk : null, r))
      // A reading counts the processes of its tabs and the browser's own;
      // the browser has one more now and then (one of an earlier context
      // still going, or a process it started and keeps: in three of 21
      // SDKs' memory phases on 2026-12-06, ~+46 MB, once in one blank
      // reading, twice from Snowplow's context on). So the SDK's reading is
      // set against the blank readings that ran as many processes as it
      // did, where there is one; where the counts differ, that is noted.
      const [blank1, mine, blank2] = got
      const against = new Map() // tab count → the blank readings the SDK's is set against
      for (const n of [1, TABS]) {
        const blanks = [blank1.get(n), blank2.get(n)]
        const same = blanks.filter((m) => m.n === mine.get(n).n)
        if (same.length < blanks.length) r.notes.push(`memory: with ${n} tab${n > 1 ? 's' : ''} ${mine.get(n).n} processes, the blank readings ${blanks.map((m) => m.n).join(' and ')}${same.length ? `: set against the blank with ${mine.get(n).n}` : ''}`)
        against.set(n, same.length ? same : blanks)
      }
      const mean = (withSDK, n, k) => {
        const xs = withSDK ? [mine.get(n)[k]] : against.get(n).map((m) => m[k])
        return xs.reduce((a, x) => a + x, 0) / xs.length / 2 ** 20
      }
      const added = (n, k) => mean(true, n, k) - mean(false, n, k)
      const one = added(1, 'rss')
      const all = added(TABS, 'rss')
      // Without the file-backed pages: RSS counts the pages of Chromium's
      // binary that a renderer has run in every renderer that ran them,
      // though they are in memory once. A page that uses more of the
      // browser (a MessagePort, localStorage, the Navigation API) maps more
      // of its code; what it allocates is anonymous (or shared memory).
      const oneAnon = added(1, 'anon')
      const allAnon = added(TABS, 'anon')
      // The SDK's reading against each blank on its own: the spread.
      const pairs = [blank1, blank2].map((b) => [1, TABS].map((n) => (mine.get(n).rss - b.get(n).rss) / 2 ** 20))
      out.set(sdk.name, {
        tab_rss_mb: all / TABS,
        mem_1tab_mb: one, mem_tabs_mb: all, mem_1tab_anon_mb: oneAnon, mem_tabs_anon_mb: allAnon,
        mem_blank_rss_mb: mean(false, TABS, 'rss'), mem_sdk_rss_mb: mean(true, TABS, 'rss'),
        mem_pairs_mb: pairs.map((p) => p.map((x) => Math.round(x * 10) / 10)),
        mem_processes: got.map((m) => [1, TABS].map((n) => m.get(n).n)), notes: r.notes, external: r.external,
      })
      log(`memory ${sdk.id}: ${TABS} tabs ${mean(true, TABS, 'rss').toFixed(0)} MB RSS, ${TABS} blank tabs ${mean(false, TABS, 'rss').toFixed(0)} MB (processes ${got.map((m) => [1, TABS].map((n) => m.get(n).n).join('/')).join(', ')}): +${all.toFixed(1)} MB for ${TABS} tabs, +${one.toFixed(1)} MB for 1 tab: ${(all / one).toFixed(2)}× (against each blank: ${pairs.map(([a, b]) => `${signed(a)} / ${signed(b)}`).join(', ')} MB); without file-backed pages +${allAnon.toFixed(1)} MB for ${TABS} tabs, +${oneAnon.toFixed(1)} MB for 1: ${(allAnon / oneAnon).toFixed(2)}×${r.notes.length ? ' — ' + r.notes.join('; ') : ''}`)
    } catch (e) {
      r.notes.push(`memory phase failed: ${e.message.split('\n')[0]}`)
      out.set(sdk.name, { tab_rss_mb: null, notes: r.notes, external: r.external })
      log(`memory ${sdk.id}: ${e.stack || e.message}`)
    }
  }
  return out
}

// burstRun: the warm-up, then the 10k burst under a trace (per-call cost,
// total CPU by thread, delivery), on a page with the SDK loaded; fills r.
// It returns waitFor, for the phases that follow.
async function burstRun({ sink, browser }, page, cdp, sdk, run, runIdx, caps, r) {
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
  // Under a trace (CPU_CATEGORIES): the CPU of the page's renderer by
  // thread, the SDK's Worker included (cpuByThread).
  let m0, c0, t0, b = null, d, m1, c1
  // Traced from the browser: a page's session traces its own processes
  // only, and Chromium may run a SharedWorker in a process of its own (a
  // cross-origin isolated page's: this page's).
  const bcdp = await browser.newBrowserCDPSession()
  const burstTrace = await trace(bcdp, async () => {
    m0 = await taskDuration(cdp)
    c0 = await counters()
    t0 = wall()
    try {
      b = await withTimeout(page.evaluate(({ n, cap }) => bench.burst(n, 'burst', 100, cap), { n: N_BURST, cap: caps.loopMs }), caps.burstMs, 'burst loop')
    } catch (e) {
      r.notes.push(e.message)
    }
    d = await waitFor('burst', b ? b.calls : N_BURST, (b ? b.start : t0) + caps.burstMs)
    if (d.complete) await sleep(IDLE_SETTLE_MS)
    m1 = await taskDuration(cdp).catch(() => null)
    c1 = await counters()
  }, process.env.BENCH_TRACE_CATEGORIES ? `${CPU_CATEGORIES},${process.env.BENCH_TRACE_CATEGORIES}` : CPU_CATEGORIES)
  const start = b ? b.start : t0
  const calls = b ? b.calls : N_BURST
  r.calls = calls
  if (b && calls < N_BURST) r.loop_cut_s = Math.round(caps.loopMs / 1000)
  if (process.env.BENCH_TRACE_DUMP) writeFileSync(join(process.env.BENCH_TRACE_DUMP, `${sdk.id}-${runIdx}.json`), JSON.stringify(burstTrace.events))
  const cpu = cpuByThread(burstTrace.events)
  r.track_cpu_main_us = cpu.tasks ? (cpu.main * 1000) / calls : null
  r.track_cpu_worker_us = cpu.tasks ? (cpu.worker * 1000) / calls : null
  r.track_cpu_us = cpu.tasks ? ((cpu.main + cpu.worker) * 1000) / calls : null
  r.track_cpu_pool_us = cpu.tasks ? (cpu.pool * 1000) / calls : null
  r.burst_workers = cpu.workers
  burstTrace.events.length = 0
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
  return waitFor
}

const PLAIN_PAIRS = 3
async function measure(ctx, sdk, runIdx, { withMemory, caps }) {
  const { browser, sink, pages } = ctx
  const isThis = sdk.id === 'this'
  const run = `${sdk.id}-${runIdx}-${Math.random().toString(36).slice(2, 8)}`
  const r = { name: sdk.name, notes: [], external: [] }
  // The SDK under test served raw: before the cold run in even runs, after
  // it in odd ones, so neither is always the one after another SDK's run.
  const raw = async () => {
    try { r.raw = await coldRaw(ctx, sdk, run, r) } catch (e) { r.notes.push(`raw: ${e.message.split('\n')[0]}`) }
    try { r.worker = await coldRaw(ctx, sdk, run, r, { prefix: '', host: 'worker' }) } catch (e) { r.notes.push(`dedicated Worker: ${e.message.split('\n')[0]}`) }
    try { r.floor_ready_ms = await coldFloor(ctx, r) } catch (e) { r.notes.push(`floor: ${e.message.split('\n')[0]}`) }
    // Both hosts again on a plain page, in turn (ready ms of each load):
    // the default host first in even pairs, the dedicated Worker first in
    // odd ones, so that neither is always the one loaded second. The first
    // run takes PLAIN_PAIRS pairs: a slow machine leaves time for one run
    // only, and one load of each has put either host first.
    r.plain = []
    r.plainWorker = []
    for (let k = 0; k < (runIdx === 1 ? PLAIN_PAIRS : 1); k++) {
      const hosts = [['plain', {}, 'plain page'], ['plainWorker', { host: 'worker' }, 'plain page, dedicated Worker']]
      for (const [key, opts, what] of (runIdx + k) % 2 === 0 ? hosts : hosts.reverse()) {
        try { r[key].push((await coldRaw(ctx, sdk, run, r, { prefix: '/plain', plain: true, ...opts })).ready_ms) } catch (e) { r.notes.push(`${what}: ${e.message.split('\n')[0]}`) }
      }
    }
  }
  if (isThis && runIdx % 2 === 0) await raw()
  const context = await browser.newContext()
  try {
    const { page, cdp } = await openPage(context, sdk.id, r)
    // How the SDK's own files came (the check that they came in brotli).
    const encodings = []
    page.on('response', (res) => {
      const path = new URL(res.url()).pathname
      if (/^\/(dist|peers)\//.test(path)) encodings.push({ path, enc: res.headers()['content-encoding'] || '' })
    })
    await page.goto(pages.url + '/', { timeout: 30000 })
    if (!(await page.evaluate(() => bench.isolated()))) r.notes.push('page not cross-origin isolated: timer resolution 100 µs')

    // 1. Ready, and the longest main-thread task at start-up.
    const cfg = { sink: sink.url, run } // each peer entry appends its path
    const st = await trace(cdp, async () => {
      const v = await withTimeout(page.evaluate(({ id, cfg }) => bench.load(id, cfg), { id: sdk.id, cfg }), 30000, 'load')
      await sleep(STARTUP_SETTLE_MS)
      return v
    }, process.env.BENCH_STARTUP_TRACE_CATEGORIES || STARTUP_CATEGORIES)
    r.ready_ms = st.value.ready_ms
    if (isThis) r.startup = st.value.startup
    Object.assign(r, longestTask(st.events))
    // Served as a CDN would: every SDK file in brotli.
    const plain = encodings.filter((e) => e.enc !== 'br')
    if (!encodings.length) r.notes.push('no SDK file seen loading')
    for (const e of plain) r.notes.push(`${e.path} came without brotli (${e.enc || 'identity'})`)

    const waitFor = await burstRun(ctx, page, cdp, sdk, run, runIdx, caps, r)

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
  // The same SDK served raw (the SDK under test only), and a second visit.
  if (isThis && runIdx % 2 === 1) await raw()
  try { r.second = await secondVisit(ctx, sdk, run, r) } catch (e) { r.notes.push(`second visit: ${e.message.split('\n')[0]}`) }
  sink.forget(sdk.sink, run)
  return r
}

// ---------- main ----------
const fmt = (x) => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(2))
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] }

const CHROMIUM = {
  executablePath: process.env.BENCH_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    // A safety net: no host name resolves, so nothing but loopback IPs loads.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    // No omnibox popup renderer booting beside each new context's first
    // measurement (e2e/engines/chromium-flags.mjs).
    disableFeatures],
  timeout: 60000,
}

async function main() {
  // The sizes first: they take ~20 s of CPU, which the time budget must see.
  // (Not for the burst alone, which has no report.)
  const burstOnly = process.env.BENCH_BURST_ONLY === '1'
  const sizeOf = burstOnly ? {} : { this: sizes([join(distDir, 'exponea.js'), join(distDir, 'exponea.worker.js'), join(distDir, 'exponea.wasm')]) }
  if (!burstOnly) for (const s of SDKS) if (s.id !== 'this') sizeOf[s.id] = sizes([join(benchDir, 'dist/peers', s.id + '.js')])
  const floor = burstOnly ? null : sizes([join(benchDir, 'dist/floor.wasm'), join(benchDir, 'dist/wasm_exec.min.js')])
  const sink = await startSink({ log })
  const pages = await startPages({ benchDir, distDir, log })
  const browser = await chromium.launch(CHROMIUM)
  // The second visits' browser: Chromium with a profile on disk (its code
  // cache), started when first needed, after the memory phase (which counts
  // the processes of every Chromium this bench started).
  let profileDir = null
  let persistentP = null
  const persistent = () => {
    if (!persistentP) {
      profileDir = mkdtempSync(join(tmpdir(), 'bench-profile-'))
      persistentP = chromium.launchPersistentContext(profileDir, { ...CHROMIUM, headless: true })
    }
    return persistentP
  }
  const ctx = { browser, sink, pages, persistent }
  const chromiumVersion = browser.version()
  const load0 = loadavg()[0]
  log(`Chromium ${chromiumVersion}; page ${pages.url}, sink ${sink.url}; up to ${runs} runs${quick ? ' (quick)' : ''}, ${Math.round((END - Date.now()) / 1000)} s left`)

  const perRun = new Map(sdks.map((s) => [s.name, []]))
  const took = new Map(sdks.map((s) => [s.name, []])) // ms per run
  let trickle = new Map()
  let tabMem = new Map()
  let content = new Map()
  let visits = new Map()
  let pagesServed = null
  const one = async (sdk, i, caps = CAPS) => {
    const t = Date.now()
    const r = await measure(ctx, sdk, i, { withMemory: i === 1, caps })
    took.get(sdk.name).push(Date.now() - t)
    perRun.get(sdk.name).push(r)
    log(`run ${i} ${sdk.id}: ready ${fmt(r.ready_ms)} ms, longest ${fmt(r.longest_task_ms)} ms, track p50 ${fmt(r.track_us_p50)} µs, p99 ${fmt(r.track_us_p99)} µs, total ${fmt(r.track_total_us)} µs (trace: main ${fmt(r.track_cpu_main_us)} + Worker ${fmt(r.track_cpu_worker_us)} = ${fmt(r.track_cpu_us)} µs), burst ${fmt(r.burst_ms)} ms, ${r.burst_requests} req, ${r.burst_delivered} delivered` +
      (sdk.id === 'this' ? `, longest task CPU ${fmt(r.longest_task_cpu_ms)} ms: ${r.longest_task_cause}, durable p50 ${fmt(r.durable_ms_p50)} ms, burst durable ${fmt(r.burst_durable_ms)} ms${r.wasm_memory_mb_100k != null ? `, mem ${fmt(r.wasm_memory_mb_100k)} MB` : ''}, raw ready ${fmt(r.raw && r.raw.ready_ms)} ms, dedicated Worker ready ${fmt(r.worker && r.worker.ready_ms)} ms, floor started ${fmt(r.floor_ready_ms)} ms, on a plain page ${(r.plain || []).map(fmt).join(', ')} ms (dedicated Worker ${(r.plainWorker || []).map(fmt).join(', ')} ms), startup ${JSON.stringify(r.startup)}` : '') +
      `, second visit ready ${fmt(r.second && r.second.ready_ms)} ms${r.second ? ` (${r.second.refetched} refetched, ${r.second.revalidated} revalidated${r.second.wasm_cache ? `, wasm code cache ${JSON.stringify(r.second.wasm_cache)}` : ''})` : ''}` +
      ` (${((Date.now() - t) / 1000).toFixed(1)} s, done at ${elapsed()})${r.notes.length ? ' — ' + r.notes.join('; ') : ''}${r.external.length ? ' — tried to load: ' + [...new Set(r.external)].join(', ') : ''}`)
  }
  const skipped = new Map()
  if (process.env.BENCH_VISIT_ONLY === '1') {
    try {
      const tm = Date.now()
      if (process.env.BENCH_MEMORY !== '0') await memoryPhase(ctx, sdks)
      log(`memory phase: ${((Date.now() - tm) / 1000).toFixed(1)} s`)
      await visitPhase(ctx, sdks)
    } finally {
      await browser.close().catch(() => {})
      await sink.close()
      await pages.close()
    }
    return
  }
  if (process.env.BENCH_CONTENT_ONLY === '1') {
    try {
      const c = await contentPhase(ctx, sdks)
      const stray = Object.entries(sink.unknown() || {})
      if (stray.length) log(`requests at the sink that carried no bench event: ${stray.map(([k, v]) => `${k} ×${v}`).join(', ')}`)
      const med = (xs) => (xs.length ? median(xs) : null)
      for (const [name, xs] of c) {
        log(`page content ${name}: image ${fmt(med(xs.map((x) => x.image_ms ?? Infinity)))} ms, load ${fmt(med(xs.map((x) => x.load_ms ?? Infinity)))} ms (medians of ${xs.length}), delivered ${xs.map((x) => x.delivered).join(', ')}, at ${xs.map((x) => fmt(x.delivered_ms)).join(', ')} ms`)
      }
    } finally {
      await browser.close().catch(() => {})
      await sink.close()
      await pages.close()
    }
    return
  }
  if (burstOnly) {
    // Only the warm-up and the burst, runs interleaved, printed: for
    // development (no report, no other phase).
    try {
      const res = new Map(sdks.map((s) => [s.id, []]))
      for (let i = 1; i <= runs; i++) {
        for (const sdk of sdks) {
          const run = `${sdk.id}-${i}-${Math.random().toString(36).slice(2, 8)}`
          const r = { name: sdk.name, notes: [], external: [] }
          const context = await browser.newContext()
          try {
            const { page, cdp } = await openPage(context, sdk.id, r)
            await page.goto(pages.url + '/', { timeout: 30000 })
            await loadSDK(page, sdk.id, { sink: sink.url, run })
            await burstRun(ctx, page, cdp, sdk, run, i, CAPS, r)
          } catch (e) {
            r.notes.push(`run failed: ${e.message.split('\n')[0]}`)
          } finally {
            await withTimeout(context.close(), 30000, 'context close').catch((e) => log(e.message))
            sink.forget(sdk.sink, run)
          }
          res.get(sdk.id).push(r)
          log(`burst ${i} ${sdk.id}: ${fmt(r.burst_ms)} ms, ${r.burst_requests} req, ${r.burst_delivered} delivered, CPU main ${fmt(r.track_cpu_main_us)} + Worker ${fmt(r.track_cpu_worker_us)} µs/event${r.notes.length ? ' — ' + r.notes.join('; ') : ''}`)
        }
      }
      const med = (xs) => { const v = xs.filter((x) => x != null); return v.length ? median(v) : null }
      for (const [id, rs] of res) {
        log(`burst ${id}: median ${fmt(med(rs.map((r) => r.burst_ms ?? Infinity)))} ms (${rs.map((r) => fmt(r.burst_ms)).join(', ')}), requests ${rs.map((r) => r.burst_requests).join(', ')}, Worker ${fmt(med(rs.map((r) => r.track_cpu_worker_us)))} µs/event, main ${fmt(med(rs.map((r) => r.track_cpu_main_us)))} µs/event`)
      }
    } finally {
      await browser.close().catch(() => {})
      await sink.close()
      await pages.close()
    }
    return
  }
  try {
    // The phases of fixed cost. The trickle: every SDK at once.
    const tt = Date.now()
    trickle = await tricklePhase(ctx, sdks, { n: N_TRICKLE_PAGE, every: TRICKLE_EVERY_MS }).catch((e) => { log(`trickle phase failed: ${e.stack || e.message}`); return new Map() })
    for (const [name, x] of trickle) log(`trickle ${name}: ${fmt(x.trickle_ms_per_event)} ms/event above idle (${fmt(x.trickle_cpu_ms)} ms CPU vs idle ${fmt(x.trickle_idle_cpu_ms)} ms over ${fmt(x.trickle_window_ms)} ms), ${x.trickle_delivered}/${N_TRICKLE_PAGE} delivered${x.notes.length ? ' — ' + x.notes.join('; ') : ''}`)
    log(`trickle phase: ${((Date.now() - tt) / 1000).toFixed(1)} s, done at ${elapsed()}`)
    // Memory per open tab: one SDK after the other.
    const tm = Date.now()
    tabMem = await memoryPhase(ctx, sdks).catch((e) => { log(`memory phase failed: ${e.stack || e.message}`); return new Map() })
    log(`memory phase: ${((Date.now() - tm) / 1000).toFixed(1)} s, done at ${elapsed()}`)
    // Page content on a slow link: every SDK and the page without one.
    const tc = Date.now()
    content = await contentPhase(ctx, sdks).catch((e) => { log(`page content phase failed: ${e.stack || e.message}`); return new Map() })
    log(`page content phase: ${((Date.now() - tc) / 1000).toFixed(1)} s, done at ${elapsed()}`)
    // A visit of several pages in one tab: every SDK, one after the other.
    const tv = Date.now()
    visits = await visitPhase(ctx, sdks).catch((e) => { log(`visit phase failed: ${e.stack || e.message}`); return new Map() })
    log(`visit phase: ${((Date.now() - tv) / 1000).toFixed(1)} s, done at ${elapsed()}`)

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
    if (persistentP) await persistentP.then((c) => c.close()).catch(() => {})
    if (profileDir) rmSync(profileDir, { recursive: true, force: true })
    await browser.close().catch(() => {})
    await sink.close()
    pagesServed = pages.served()
    await pages.close()
  }

  log(`runs done at ${elapsed()}`)
  const md = writeReport({
    raw: join(benchDir, 'dist/last-runs.json'),
    dir: join(benchDir, 'results'), date: new Date(T0).toISOString(), runs, quick, sdks, sizeOf, perRun, skipped, chromium: chromiumVersion,
    trickle: Object.fromEntries(trickle), tabMem: Object.fromEntries(tabMem), content: Object.fromEntries(content), visits: Object.fromEntries(visits), served: pagesServed,
    floor,
    floorWasm: sizes([join(benchDir, 'dist/floor.wasm')]),
    thisWasm: sizes([join(distDir, 'exponea.wasm')]),
    unknown: sink.unknown(), seconds: (Date.now() - T0) / 1000, load: [load0, loadavg()[0]],
    limits: { ...CAPS, nBurst: N_BURST, trickleN: N_TRICKLE_PAGE, trickleEveryMs: TRICKLE_EVERY_MS, tabs: TABS, firstVisitMs: FIRST_VISIT_MS, visitPages: VISIT_PAGES, visitDwellMs: VISIT_DWELL_MS, contentRuns: CONTENT_RUNS, slowLink: SLOW_LINK },
  })
  process.stdout.write(md)
}

main().catch((e) => { console.error(e); process.exit(1) })
