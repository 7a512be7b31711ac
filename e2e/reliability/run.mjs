// The zero-loss proof: runs every fault scenario (scenarios.mjs) against
// the real collector in headless Chromium, one fresh collector each, and
// writes a JSON and a markdown report of what was tracked, stored, lost and
// duplicated. Exits non-zero if any scenario lost an event, stored one
// twice, failed a check or errored; the report is written either way.
//
//   node e2e/reliability/run.mjs                      full run → reliability/report.{json,md}
//   RELIABILITY_QUICK=1 node e2e/reliability/run.mjs  short run (make test) → reliability/tmp/
//   RELIABILITY_ONLY=7,8 ...                          only those scenario ids (→ reliability/tmp/)
//   RELIABILITY_OUT=dir ...                           write the reports to dir
//   RELIABILITY_TIMEOUT_SCALE=0.5 ...                 scale every scenario's timeout
//
// Needs `make build collector` (dist/ and build/collector) and Chromium
// at /usr/bin/chromium (or $CHROMIUM).
import { mkdir, writeFile, access } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPages, Collector, launch } from '../harness.mjs'
import { Kit, Aborted } from './kit.mjs'
import { scenarios } from './scenarios.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const quick = !!process.env.RELIABILITY_QUICK && process.env.RELIABILITY_QUICK !== '0'
const only = (process.env.RELIABILITY_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean)
const selected = only.length ? scenarios.filter((s) => only.includes(s.id) || only.includes(s.id.replace(/[a-z]$/, ''))) : scenarios
const scale = Number(process.env.RELIABILITY_TIMEOUT_SCALE) || 1
const timeoutOf = (sc) => Math.round(sc.timeout[quick ? 0 : 1] * scale)
const outDir = process.env.RELIABILITY_OUT || join(root, quick || only.length ? 'reliability/tmp' : 'reliability')

// Hard stop for the whole run, should a cleanup itself hang.
const budget = selected.reduce((s, x) => s + timeoutOf(x) + 20000, 30000)
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

const bounded = (p, ms) => Promise.race([Promise.resolve(p).catch(() => {}), new Promise((r) => setTimeout(r, ms))])

const started = Date.now()
const pages = await startPages()
let browser = await launch()
const chromiumVersion = browser.version()
const results = []

for (const sc of selected) {
  if (!browser.isConnected()) browser = await launch() // a crash must not sink the rest
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
    results.push(result)
    if (collector) await bounded(collector.close(), 10000)
    continue
  }
  process.stdout.write(`[${sc.id}] ${sc.title} … `)
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
      counts = await Promise.race([kit.counts(), new Promise((_, r) => setTimeout(() => r(new Error('counting timed out')), 15000))])
    } catch (e2) {
      result.notes.push(`counting after the error failed: ${e2.message}`)
    }
  } finally {
    clearTimeout(timer)
  }
  await kit.cleanup()
  Object.assign(result, counts || {})
  if (kit.atClose !== undefined) result.atClose = kit.atClose
  result.seconds = Math.round((Date.now() - t0) / 100) / 10
  result.failures = kit.failures
  result.notes.push(...kit.notes)
  result.console = [...kit.console]
  result.timeline = kit.timeline
  result.collectorLog = kit.collectorLog
  result.errorReports = kit.errors.length
  if (result.status === 'pass') {
    if (!counts) result.status = 'error'
    else if (counts.lost > 0 || counts.duplicatesStored > 0 || kit.failures.length) result.status = 'fail'
  }
  results.push(result)
  console.log(`${result.status.toUpperCase()} (${result.seconds} s)${result.error ? ' — ' + result.error : ''}`)
}

await bounded(browser.close(), 10000)
await bounded(pages.close(), 5000)

const totalSeconds = Math.round((Date.now() - started) / 100) / 10
const ok = results.length === selected.length && results.every((r) => r.status === 'pass')
const report = {
  mode: quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  chromium: chromiumVersion,
  node: process.version,
  seconds: totalSeconds,
  result: ok ? 'pass' : 'fail',
  scenarios: results,
}
const md = markdown(report)
await mkdir(outDir, { recursive: true })
await writeFile(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n')
await writeFile(join(outDir, 'report.md'), md)
console.log('\n' + md)
console.log(`reports: ${join(outDir, 'report.json')}, ${join(outDir, 'report.md')}`)
clearTimeout(watchdog)
process.exit(ok ? 0 : 1)

function markdown(r) {
  const n = (v) => (v === undefined || v === null ? '–' : String(v))
  const lines = [
    `# Reliability report (${r.mode} run)`,
    '',
    `${r.date} · Chromium ${r.chromium} · Node ${r.node} · ${r.seconds} s · **${r.result.toUpperCase()}**`,
    '',
    '| # | Scenario | Tracked | Stored | At close | Drops reported | Lost | Duplicates received | Duplicates stored | Requests | Time (s) | Result |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ]
  for (const s of r.scenarios) {
    lines.push(`| ${s.id} | ${s.title} | ${n(s.tracked)} | ${n(s.stored)} | ${n(s.atClose)} | ${n(s.drops)} | ${n(s.lost)} | ${n(s.duplicatesReceived)} | ${n(s.duplicatesStored)} | ${n(s.requests)} | ${s.seconds} | ${s.status.toUpperCase()} |`)
  }
  lines.push('',
    'Tracked: `trackEvent` calls that resolved — or, where calls are fired without awaiting them (12–15), that returned: the SDK owns them from then — each with a unique `properties.seq` and the scenario\'s own event type (the SDK\'s installation and session events are not counted). ' +
    'Stored: distinct seq at the collector. At close: stored before any next visit (12). Lost = tracked − stored − drops reported (the SDK\'s `drop` reports). ' +
    'Duplicates received: re-sends the collector\'s `command_id` dedupe caught — what a backend that does not deduplicate (Bloomreach) would have stored twice. Duplicates stored: stored rows − distinct seq (must be 0). ' +
    'Requests: tracking requests the collector counted during the scenario, CORS preflights excluded (requests abandoned by the client before an answer are not counted). ' +
    'A scenario fails if it lost or double-stored an event, failed one of its own checks, or errored (including its timeout).', '')
  const detail = r.scenarios.filter((s) => s.error || s.failures.length || s.notes.length || (s.statuses && Object.keys(s.statuses).some((k) => k !== '200')))
  if (detail.length) {
    lines.push('## Notes', '')
    for (const s of detail) {
      const parts = []
      if (s.error) parts.push(`error: ${s.error}`)
      for (const f of s.failures) parts.push(`check failed: ${f}`)
      parts.push(...s.notes)
      if (s.statuses && Object.keys(s.statuses).some((k) => k !== '200')) parts.push(`responses: ${Object.entries(s.statuses).map(([k, v]) => `${k}×${v}`).join(', ')}`)
      lines.push(`- **${s.id}** ${parts.join('; ')}`)
    }
    lines.push('')
  }
  return lines.join('\n')
}
