// What the SDK gets from each engine's platform: a Worker, an IndexedDB
// queue and the Web Lock that makes one tab the sender (docs/browsers.md). Fallbacks are in limits.test.mjs, the keepalive close path in
// flush.test.mjs.
import assert from 'node:assert/strict'
import { test, env, contexts, config, open, engine, TOKEN, RUNS_IN } from './harness.mjs'
import { ownDisabled } from './engines/chromium-flags.mjs'

const lock = `exponea-send:exponea:${TOKEN}` // "exponea-send:" + the default dbName

// A SharedWorker that goes with its pages (Firefox, WebKit) sends under
// its own lock only: Firefox keeps a page out of its back/forward cache
// when the page's SharedWorker holds a Web Lock as it goes (sdk.Locks).
test('the SDK runs in a worker on IndexedDB and sends only while it holds the sender Web Lock (a dedicated Worker, or a SharedWorker that outlives its pages)', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector))
  const where = await page.evaluate(() => ({ storage: exponea.storage, runsIn: exponea.runsIn, locks: !!navigator.locks }))
  assert.deepEqual(where, { storage: 'indexeddb', runsIn: RUNS_IN, locks: true })
  const lifetime = await page.evaluate(() => exponea.startup.lifetime)
  const webLock = RUNS_IN !== 'sharedworker' || lifetime === 'extended'
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'installation and session_start delivered' })
  const held = () => page.evaluate(async () => (await navigator.locks.query()).held.map((l) => l.name))
  await collector.fault({ delay_ms: 2000, times: 1 }) // the next request is held at the collector
  const since = Date.now()
  await page.evaluate(() => exponea.trackEvent({ name: 'locked' }))
  // The request on the wire (held for 2 s at the collector): the lock must
  // be held now.
  await collector.waitFor(async () => (await page.requests()).some((r) => r.method === 'POST' && r.url.includes('/batch') && r.at >= since && r.status === null && r.error === null), { timeout: 1500, interval: 20, what: 'the request in flight' })
  const whileSending = await held()
  assert.equal(whileSending.includes(lock), webLock, `locks held while the request is in flight (${where.runsIn}, lifetime ${lifetime}): ${JSON.stringify(whileSending)}`)
  await collector.waitFor(async () => (await collector.events('event_type=locked')).length === 1, { what: 'the event' })
  await collector.waitFor(async () => !(await held()).includes(lock), { what: 'the lock released once the queue is empty' })
  console.log(`# ${browser.name} ${browser.version}: storage ${where.storage}, runs in a ${where.runsIn}${lifetime ? ` (lifetime ${lifetime})` : ''}, sends under ${webLock ? `the Web Lock ${lock}` : 'the runtime\'s own lock'}`)
})

// Go's wasm_exec.js defines the globals fs, process and path where there
// are none, for the Go program; page code takes a global `process` for
// Node's (`typeof process !== 'undefined' && process.env.NODE_ENV` throws
// without env). The Go program runs in a Worker: the page's global scope is
// left as it was, with the script build, with the module, configured and
// tracking. Only where the Go program runs on the page (host 'page') are
// fs, process and path there, as it needs them.
test('loading, configuring and tracking leave the page\'s global scope alone: no process, fs, path or Go', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const added = (page) => page.evaluate(() => ['process', 'fs', 'path', 'Go'].filter((k) => k in globalThis))
  const script = await open(ctx, pages, null)
  await script.evaluate(() => new Promise((resolve, reject) => {
    const s = document.createElement('script')
    s.src = '/dist/exponea.js'
    s.onload = resolve
    s.onerror = () => reject(new Error('cannot load /dist/exponea.js'))
    document.head.append(s)
  }))
  assert.equal(await script.evaluate(() => typeof window.Exponea.configure), 'function', 'the script build loaded')
  assert.deepEqual(await added(script), [], 'globals the script build added')
  const page = await open(ctx, pages, config(collector))
  await page.evaluate(() => exponea.trackEvent({ name: 'globals' }))
  await collector.waitFor(async () => (await collector.events('event_type=globals')).length === 1, { what: 'the event' })
  assert.deepEqual(await added(page), [], `globals added by the module, configured and tracking (runs in a ${RUNS_IN})`)
  const onPage = await open(ctx, pages, config(collector, { host: 'page' }))
  assert.equal(await onPage.evaluate(() => exponea.runsIn), 'page')
  assert.deepEqual(await added(onPage), ['process', 'fs', 'path'], 'globals with the Go program on the page')
})

// Chromium keeps only the last --disable-features it is given, and
// Playwright passes its own list before ours (engines/chromium-flags.mjs):
// ours must repeat every feature Playwright turns off, and turn off the
// omnibox popup renderer that otherwise boots beside each new context's
// first page. Fails when a Playwright upgrade disables a feature ours lacks.
test('Chromium runs with every feature Playwright turns off, and with the omnibox popup features off', async (t) => {
  if (engine.name !== 'chromium') return t.skip('Chromium\'s command line')
  const browser = await contexts(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto('chrome://version')
  const line = await page.evaluate(() => document.getElementById('command_line').textContent)
  const lists = line.split(/\s+/).filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','))
  assert.ok(lists.length >= 2, `Playwright's --disable-features and ours: ${JSON.stringify(lists)}`)
  const last = lists.at(-1)
  assert.deepEqual(lists.flat().filter((f) => !last.includes(f)), [], 'features an earlier --disable-features turns off that the last (the one Chromium keeps) lacks')
  assert.deepEqual(ownDisabled.filter((f) => !last.includes(f)), [], 'the omnibox popup features')
})
