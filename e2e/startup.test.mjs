// The SDK starts after the page's own content (js/src/start.js): its wasm
// and its Worker are fetched once the load event has fired and the page
// has had an idle moment, unless configure says start: 'eager'. Calls made
// before are journaled, and arrive once: sent by the SDK when it starts,
// at close by the close path if the tab goes first, or by the next page.
import assert from 'node:assert/strict'
import { test, env, config, configure, engine, RUNS_IN } from './harness.mjs'

const early = async (collector) => (await collector.events('event_type=early')).map((e) => e.properties.i).sort()

// startupPage is the product page (pages/startup.html) with cfg.
const startupPage = (pages, cfg, params = {}) =>
  `${pages.url}/startup.html?${new URLSearchParams({ cfg: JSON.stringify(cfg), ...params })}`

// ready waits until the page has configured the SDK (its import may end
// after the load event) and the SDK is ready.
async function ready(page) {
  await page.waitFor(() => !!window.exponea, undefined, { what: 'configure' })
  await page.evaluate(() => window.exponea.ready)
  return page
}

// timeline returns when the image loaded, the load event fired, the Worker
// was created and the wasm was requested (Date.now of the page), and the
// SDK's startup.
const timeline = async (page) => (await ready(page)).evaluate(async () => {
  await window.exponea.ready
  // Fetched by the page (a dedicated Worker gets the module compiled
  // there) or by a SharedWorker (which compiles its own).
  const wasm = window.__e2e.requests.find((r) => /exponea\.wasm/.test(r.url))
  return { ...window.__t, wasmAt: wasm ? wasm.at : 0, startup: window.exponea.startup }
})

test("the page's main image loads before the SDK's wasm and Worker are requested; calls made before arrive once", async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto(startupPage(pages, config(collector), { imageDelay: 500 }))
  const tl = await timeline(page)
  assert.ok(tl.imageLoaded > 0 && tl.loaded > 0, 'the image and the page loaded')
  assert.ok(tl.wasmAt >= tl.loaded, `the wasm is requested after the load event (${tl.wasmAt - tl.loaded} ms after)`)
  assert.ok(tl.wasmAt >= tl.imageLoaded, 'and after the image')
  // A dedicated Worker is created after the load event; a SharedWorker is
  // connected at configure (preconnect: a running one is joined at once,
  // one not running loads its ~4 KB script), and fetches the wasm only at
  // the start, as asserted above.
  if (tl.workerAt && RUNS_IN === 'worker') assert.ok(tl.workerAt >= tl.loaded, 'the Worker is created after the load event')
  if (RUNS_IN === 'sharedworker') assert.ok(tl.workerAt > 0 && tl.workerAt <= tl.called, 'the SharedWorker is connected at configure')
  assert.equal(typeof tl.startup.waited, 'number', 'startup says how long the start waited')
  // A new visitor's database is created by the worker while the wasm
  // downloads and compiles, and configure takes that connection.
  assert.equal(tl.startup.openedEarly, true, `the database was opened beside the compile: ${JSON.stringify(tl.startup)}`)
  await collector.waitFor(async () => (await early(collector)).length >= 3, { what: 'the 3 calls made before the start' })
  assert.deepEqual(await early(collector), [0, 1, 2], 'each once')
  assert.equal((await collector.stats()).duplicates_received, 0, 'each received once')
})

test("start: 'eager' requests the wasm at configure, while the page's image is still loading", async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto(startupPage(pages, config(collector, { start: 'eager' }), { imageDelay: 500 }))
  const tl = await timeline(page)
  // The page fetches the wasm in the task of configure for a dedicated
  // Worker; a SharedWorker, created in that task, fetches its own.
  assert.ok(tl.workerAt > 0 && tl.workerAt <= tl.called, 'the worker is created in the task of configure')
  assert.ok(tl.wasmAt > 0 && tl.wasmAt < tl.imageLoaded, 'the wasm is requested before the image has loaded')
  assert.equal(tl.startup.waited, 0, 'the start did not wait')
  await collector.waitFor(async () => (await early(collector)).length >= 3, { what: 'the 3 calls' })
  assert.deepEqual(await early(collector), [0, 1, 2], 'each once')
})

test('start must be idle or eager: a RangeError naming the field', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto(pages.url + '/')
  const got = await page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    try {
      Exponea.configure({ ...cfg, start: 'lazy' })
      return 'configured'
    } catch (e) {
      return `${e.name}: ${e.message}`
    }
  }, config(collector))
  assert.equal(got, "RangeError: configure: start must be one of 'idle', 'eager'")
})

// leaveEarly opens the product page in page, whose image the server holds
// for 30 s: the page configures the SDK, makes 3 calls and leaves for
// another site while still loading, so the tab is gone before the SDK
// could start.
async function leaveEarly(page, pages, collector) {
  const elsewhere = pages.url.replace('127.0.0.1', 'localhost') + '/?elsewhere' // another origin
  await page.evaluate((url) => { setTimeout(() => { location.href = url }, 0) },
    startupPage(pages, config(collector), { imageDelay: 30000, leave: elsewhere }))
  await page.waitFor(() => location.search === '?elsewhere' && document.readyState === 'complete', undefined, { what: 'the other site', navigating: true, timeout: 20000 })
}

test('a tab gone before the SDK started on the first visit: its calls wait in the journal, and the next page sends them once', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(pages.url + '/?first')
  await leaveEarly(page, pages, collector)
  // No page of the site has started the SDK: the close path had no cookie
  // to send the calls under. The next page that starts sends them.
  const next = await ctx.newPage()
  await next.goto(startupPage(pages, config(collector), { kb: 1 }))
  await ready(next)
  await collector.waitFor(async () => (await early(collector)).length >= 6, { what: 'the calls of both pages' })
  await next.waitFor(async () => (await window.exponea.getQueueLength()) === 0, undefined, { what: 'the queue delivered' })
  assert.deepEqual(await early(collector), [0, 0, 1, 1, 2, 2], 'each once')
  assert.equal((await collector.stats()).duplicates_received, 0, 'each received once')
})

test('a tab gone before the SDK started on a later visit: the close path sends its calls at close under the known cookie (the next page where the engine runs no pagehide), stored once', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  // A first page of the site that started the SDK, so the close path
  // knows the cookie and the URL; its own 3 calls delivered.
  await page.goto(startupPage(pages, config(collector), { kb: 1 }))
  await ready(page)
  await page.waitFor(async () => (await window.exponea.getQueueLength()) === 0, undefined, { what: 'the first page delivered' })
  const cookie = await page.evaluate(() => window.exponea.getCustomerCookie())
  await leaveEarly(page, pages, collector)
  // Where the engine runs no pagehide for a page left while loading, the
  // next page sends the calls (below).
  const atClose = !engine.lacks.pagehideWhileLoading
  if (atClose) await collector.waitFor(async () => (await early(collector)).length >= 6, { what: 'the calls, sent at close before the SDK started' })
  // The next page hands the journal over: the records are stored and sent
  // (again, under the same command ids, which the collector stores once).
  const next = await ctx.newPage()
  await next.goto(startupPage(pages, config(collector), { kb: 1 }))
  await ready(next)
  await collector.waitFor(async () => (await early(collector)).length >= 9, { what: 'the next page\'s calls' })
  await next.waitFor(async () => (await window.exponea.getQueueLength()) === 0, undefined, { what: 'the queue delivered' })
  assert.deepEqual(await early(collector), [0, 0, 0, 1, 1, 1, 2, 2, 2], 'each stored once')
  const ev = await collector.events('event_type=early')
  assert.equal(ev.filter((e) => e.customer_ids.cookie === cookie).length, 9, 'all under the cookie the first page was told')
  if (!atClose) assert.equal((await collector.stats()).duplicates_received, 0, 'nothing was sent at close')
})

test("a database an older version of the SDK left is upgraded by the SDK's migrations, not created anew beside the compile: the visitor keeps the cookie", async (t) => {
  const { pages, collector, browser } = await env(t)
  const cfg = config(collector)
  const page = await (await browser.newContext()).newPage()
  await page.goto(`${pages.url}/`)
  // Schema version 1 (internal/idbstore): records, and the identity in state.
  await page.evaluate((name) => new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1)
    req.onupgradeneeded = () => {
      req.result.createObjectStore('records', { keyPath: 'seq', autoIncrement: true })
      req.result.createObjectStore('state').put('{"cookie":"c-older-version","ids":{},"installed":true}', 'customer')
    }
    req.onsuccess = () => { req.result.close(); resolve() }
    req.onerror = () => reject(req.error)
  }), `exponea:${cfg.projectToken}`)
  assert.equal(await configure(page, cfg), 'indexeddb')
  assert.equal(await page.evaluate(() => exponea.getCustomerCookie()), 'c-older-version', 'the identity survived the upgrade')
  assert.equal(await page.evaluate(() => exponea.startup.openedEarly), undefined, 'the worker left the upgrade to the SDK')
  await page.evaluate(() => exponea.trackEvent({ name: 'after_upgrade' }))
  const ev = await collector.waitFor(async () => (await collector.events('event_type=after_upgrade'))[0], { what: 'the event tracked after the upgrade' })
  assert.equal(ev.customer_ids.cookie, 'c-older-version')
})
