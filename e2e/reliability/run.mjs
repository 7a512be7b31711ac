// The zero-loss proof: runs every fault scenario (scenarios.mjs) against
// the real collector in each browser engine (Chromium, Firefox, WebKit;
// engines/index.mjs), each scenario with a fresh collector (and in the
// full run a fresh browser), and writes a JSON and a markdown report of
// what was tracked, stored, lost and duplicated, one column per engine.
// Exits non-zero if any scenario lost an event, stored one twice, failed a
// check or errored in any engine; the report is written either way. A
// scenario that needs what an engine lacks is skipped there, with the
// reason.
//
//   node e2e/reliability/run.mjs                      full run → reliability/report.{json,md}
//   RELIABILITY_QUICK=1 node e2e/reliability/run.mjs  short run (make test) → reliability/tmp/
//   RELIABILITY_ONLY=7,8 ...                          only those scenario ids (→ reliability/tmp/)
//   ENGINES=firefox,webkit ...                        only those engines (→ reliability/tmp/)
//   RELIABILITY_OUT=dir ...                           write the reports to dir
//   RELIABILITY_TIMEOUT_SCALE=0.5 ...                 scale every scenario's timeout
//
// Needs `make build collector` (dist/ and build/collector) and the engines'
// browsers from Debian's packages (chromium, firefox-esr, webkit2gtk-driver
// with xvfb).
import { mkdir, writeFile, access } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPages, Collector, bounded, HOST } from '../harness.mjs'
import { engines as allEngines, load } from '../engines/index.mjs'
import { Kit, Aborted } from './kit.mjs'
import { scenarios } from './scenarios.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const quick = !!process.env.RELIABILITY_QUICK && process.env.RELIABILITY_QUICK !== '0'
const only = (process.env.RELIABILITY_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean)
// The quick run (make test) leaves out the scenarios marked fullOnly: the
// ones whose behaviour the browser tests also assert in every engine, run
// in full by `make reliability`.
const selected = only.length ? scenarios.filter((s) => only.includes(s.id) || only.includes(s.id.replace(/[a-z]$/, '')))
  : scenarios.filter((s) => !(quick && s.fullOnly))
const engineNames = (process.env.ENGINES || allEngines.join(',')).split(/[\s,]+/).filter(Boolean)
const scale = Number(process.env.RELIABILITY_TIMEOUT_SCALE) || 1
const timeoutOf = (sc) => Math.round(sc.timeout[quick ? 0 : 1] * scale)
const partial = only.length || engineNames.join(',') !== allEngines.join(',')
const outDir = process.env.RELIABILITY_OUT || join(root, quick || partial ? 'reliability/tmp' : 'reliability')

// Hard stop for the whole run, should a cleanup itself hang.
const budget = engineNames.length * selected.reduce((s, x) => s + timeoutOf(x) + 20000, 30000)
const watchdog = setTimeout(() => {
  console.error(`reliability: the whole run exceeded ${Math.round(budget / 1000)} s; giving up`)
  process.exit(3)
}, budget)
watchdog.unref()

for (const f of ['build/collector', 'dist/exponea.mjs', 'dist/exponea.wasm']) {
  try { await access(join(root, f)) } catch {
    console.error(`reliability: ${f} is missing; run \`make build collector\` first`)
    process.exit(2)
  }
}

const started = Date.now()
const pages = await startPages()
const runs = []
for (const name of engineNames) runs.push(await runEngine(await load(name)))
await bounded(pages.close(), 5000)

const totalSeconds = Math.round((Date.now() - started) / 100) / 10
const ok = runs.every((e) => e.result === 'pass')
const report = {
  mode: quick ? 'quick' : 'full',
  host: HOST, // where the SDK's Go side runs (E2E_HOST), but where a scenario says
  date: new Date().toISOString(),
  node: process.version,
  seconds: totalSeconds,
  result: ok ? 'pass' : 'fail',
  engines: runs,
}
const md = markdown(report)
await mkdir(outDir, { recursive: true })
await writeFile(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n')
await writeFile(join(outDir, 'report.md'), md)
console.log('\n' + md)
console.log(`reports: ${join(outDir, 'report.json')}, ${join(outDir, 'report.md')}`)
// A CI log keeps only its tail: name what failed last, with what it saw.
if (!ok) console.log('\n' + failureSummary(runs))
clearTimeout(watchdog)
process.exit(ok ? 0 : 1)

// runEngine runs the selected scenarios in one engine's browser.
function failureSummary(engines) {
  const lines = ['reliability: FAILED']
  for (const e of engines) {
    if (e.error) lines.push(`- ${e.name}: ${e.error}`)
    for (const r of e.scenarios.filter((x) => x.status !== 'pass' && x.status !== 'skip')) {
      lines.push(`- ${e.name} ${r.id} ${r.status}: ${r.error || ''} lost ${r.lost ?? '?'}, stored twice ${r.duplicatesStored ?? '?'}`)
      for (const f of r.failures || []) lines.push(`  - ${f}`)
      for (const c of (r.console || []).slice(-8)) lines.push(`  console: ${String(c).slice(0, 300)}`)
      for (const t of (r.timeline || []).slice(-8)) lines.push(`  timeline: ${JSON.stringify(t).slice(0, 300)}`)
    }
  }
  return lines.join('\n')
}

async function runEngine(engine) {
  const t0 = Date.now()
  const out = { name: engine.name, version: '', seconds: 0, result: 'pass', scenarios: [] }
  let browser
  try {
    browser = await engine.launch()
  } catch (e) {
    console.log(`[${engine.name}] cannot launch: ${e.message.split('\n')[0]}`)
    out.result = 'fail'
    out.error = `launch: ${e.message.split('\n')[0]}`
    return out
  }
  let used = false
  for (const sc of selected) {
    const lacking = (sc.needs || []).filter((f) => engine.lacks[f])
    if (lacking.length) {
      const reason = lacking.map((f) => `${engine.name} lacks ${f}: ${engine.lacks[f]}`).join('; ')
      out.scenarios.push({ id: sc.id, title: sc.title, status: 'skip', reason, seconds: 0, error: null, failures: [], notes: [] })
      console.log(`[${engine.name} ${sc.id}] ${sc.title} … SKIP (${reason})`)
      continue
    }
    // In the full run each scenario has a browser of its own, as a
    // visitor's session would: what one leaves behind must not weigh on
    // the next (after 12a–d and 13, ~900 pages in one process, Firefox once
    // took over 20 s to start a Worker in 15). The quick run's scenarios
    // are small, and a launch per scenario would cost it a minute. A crash
    // must not sink the rest either.
    if ((used && !quick) || !browser.connected()) {
      await bounded(browser.close(), 10000)
      try {
        browser = await engine.launch()
      } catch (e) {
        out.scenarios.push({ id: sc.id, title: sc.title, status: 'error', seconds: 0, error: `launch: ${e.message.split('\n')[0]}`, failures: [], notes: [] })
        continue
      }
    }
    used = true
    out.scenarios.push(await runScenario(engine, browser, sc))
  }
  out.version = browser.version // the last one launched that ran (WebKit's is known once a context has opened)
  await bounded(browser.close(), 10000)
  out.seconds = Math.round((Date.now() - t0) / 100) / 10
  if (!out.scenarios.every((r) => r.status === 'pass' || r.status === 'skip')) out.result = 'fail'
  return out
}

async function runScenario(engine, browser, sc) {
  const t0 = Date.now()
  const limit = timeoutOf(sc)
  const eventType = `reliability_${sc.id}`
  const result = { id: sc.id, title: sc.title, status: 'pass', seconds: 0, error: null, failures: [], notes: [] }
  let collector
  let kit
  try {
    collector = await new Collector({ origin: pages.url }).start()
    kit = new Kit({ id: sc.id, eventType, collector, pages, browser, quick })
    kit.before = await collector.stats()
  } catch (e) {
    result.status = 'error'
    result.error = `setup: ${e.message}`
    if (collector) await bounded(collector.close(), 10000)
    return result
  }
  process.stdout.write(`[${engine.name} ${sc.id}] ${sc.title} … `)
  let timer
  const timedOut = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${limit / 1000} s`)), limit) })
  const run = sc.fn(kit)
  run.catch(() => {}) // after a timeout it may still reject; its fate no longer matters
  let counts
  try {
    counts = await Promise.race([run, timedOut])
  } catch (e) {
    result.status = 'error'
    result.error = e instanceof Aborted ? 'aborted' : e.message.split('\n')[0]
    kit.abort()
    try {
      counts = await Promise.race([kit.counts(), new Promise((_, r) => setTimeout(() => r(new Error('counting timed out')), 15000).unref())])
    } catch (e2) {
      result.notes.push(`counting after the error failed: ${e2.message}`)
    }
  } finally {
    clearTimeout(timer)
  }
  await kit.cleanup()
  Object.assign(result, counts || {})
  if (kit.atClose !== undefined) result.atClose = kit.atClose
  if (kit.walk) result.walk = kit.walk
  result.seconds = Math.round((Date.now() - t0) / 100) / 10
  result.failures = kit.failures
  result.notes.push(...kit.notes)
  if (kit.startRestarts) result.notes.push(`the SDK's start was begun again ${kit.startRestarts} times before configure answered (a start that failed in storage, or a Worker that died while starting)`)
  result.console = [...kit.console]
  result.timeline = kit.timeline
  result.collectorLog = kit.collectorLog
  result.errorReports = kit.errors.length
  if (result.status === 'pass') {
    if (!counts) result.status = 'error'
    else if (counts.lost > 0 || counts.duplicatesStored > 0 || kit.failures.length) result.status = 'fail'
  }
  console.log(`${result.status.toUpperCase()} (${result.seconds} s)${result.error ? ' — ' + result.error : ''}`)
  return result
}

function markdown(r) {
  const n = (v) => (v === undefined || v === null ? '–' : String(v))
  const title = (e) => `${e.name} ${e.version || ''}`.trim()
  const ids = [...new Set(r.engines.flatMap((e) => e.scenarios.map((s) => s.id)))]
  const lines = [
    `# Reliability report (${r.mode} run${r.host && r.host !== 'auto' ? `, host: '${r.host}'` : ''})`,
    '',
    `${r.date} · Node ${r.node} · ${r.seconds} s · **${r.result.toUpperCase()}**`,
    '',
    `| # | Scenario | ${r.engines.map(title).join(' | ')} |`,
    `|---|---|${r.engines.map(() => '---').join('|')}|`,
  ]
  const cell = (s) => {
    if (!s) return '–'
    if (s.status === 'skip') return `SKIP (lacks ${s.reason.match(/lacks (\w+)/g).map((m) => m.slice(6)).join(', ')})`
    const stored = `${n(s.stored)}/${n(s.tracked)} stored${s.drops ? ` + ${s.drops} dropped` : ''}`
    return `${s.status.toUpperCase()} · ${stored} · lost ${n(s.lost)} · dup ${n(s.duplicatesStored)} · ${s.seconds} s`
  }
  for (const id of ids) {
    const row = r.engines.map((e) => e.scenarios.find((s) => s.id === id))
    lines.push(`| ${id} | ${row.find(Boolean).title} | ${row.map(cell).join(' | ')} |`)
  }
  lines.push('', `Engines: ${r.engines.map((e) => `${title(e)} (${e.seconds} s, ${e.result.toUpperCase()}${e.error ? ', ' + e.error : ''})`).join(' · ')}.`, '',
    'Tracked: `trackEvent` calls that resolved — or, where calls are fired without awaiting them (12–15), that returned: the SDK owns them from then — each with a unique `properties.seq` and the scenario\'s own event type (the SDK\'s installation and session events are not counted). ' +
    'Stored: distinct seq at the collector. At close: stored before any next visit (12). Lost = tracked − stored − drops reported (the SDK\'s `drop` reports). ' +
    'Duplicates received: re-sends the collector\'s `command_id` dedupe caught — what a backend that does not deduplicate (Bloomreach) would have stored twice. Duplicates stored (dup): stored rows − distinct seq (must be 0). ' +
    'Requests: tracking requests the collector counted during the scenario, CORS preflights excluded (requests abandoned by the client before an answer are not counted). ' +
    'A scenario fails if it lost or double-stored an event, failed one of its own checks, or errored (including its timeout); it is skipped in an engine that lacks what it needs.', '')
  for (const e of r.engines) {
    lines.push(`## ${title(e)}`, '',
      '| # | Scenario | Tracked | Stored | At close | Drops reported | Lost | Duplicates received | Duplicates stored | Requests | Time (s) | Result |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|')
    for (const s of e.scenarios) {
      lines.push(`| ${s.id} | ${s.title} | ${n(s.tracked)} | ${n(s.stored)} | ${n(s.atClose)} | ${n(s.drops)} | ${n(s.lost)} | ${n(s.duplicatesReceived)} | ${n(s.duplicatesStored)} | ${n(s.requests)} | ${s.seconds} | ${s.status.toUpperCase()} |`)
    }
    lines.push('')
    for (const s of e.scenarios.filter((x) => x.walk)) {
      const w = s.walk
      lines.push(`Walks (${s.id}): ${w.walks} walks, ${w.pages} pages shown; SDK not started on ${w.notStarted}; ` +
        `back/forward restored from the back/forward cache ${w.restored} of ${w.restored + w.notRestored}; ` +
        `ready per page (fresh loads, ms from navigation start) median ${n(w.readyMedian)}, p95 ${n(w.readyP95)}; ` +
        `${w.clicks} clicks tracked right before a navigation, received twice ${w.receivedTwice} (${n(w.perClick)} per click; ${w.atClose} of them also sent by a page at close; by how the page was left, extra copies / clicks: ${Object.entries(w.byVia || {}).map(([via, [x, c]]) => `${via} ${x}/${c}`).join(', ')}); ` +
        `the page knows where ${w.knows === 'navigation' ? 'every navigation goes (Navigation API)' : 'links and forms go, not a navigation made by script'}.`, '')
    }
    const detail = e.scenarios.filter((s) => s.reason || s.error || s.failures.length || s.notes.length || (s.statuses && Object.keys(s.statuses).some((k) => k !== '200')))
    for (const s of detail) {
      const parts = []
      if (s.reason) parts.push(`skipped: ${s.reason}`)
      if (s.error) parts.push(`error: ${s.error}`)
      for (const f of s.failures) parts.push(`check failed: ${f}`)
      parts.push(...s.notes)
      if (s.statuses && Object.keys(s.statuses).some((k) => k !== '200')) parts.push(`responses: ${Object.entries(s.statuses).map(([k, v]) => `${k}×${v}`).join(', ')}`)
      lines.push(`- **${s.id}** ${parts.join('; ')}`)
    }
    if (detail.length) lines.push('')
  }
  return lines.join('\n')
}
