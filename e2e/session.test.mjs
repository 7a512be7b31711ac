// Sessions, anonymize and identity shared across tabs and reloads, in a
// browser engine ($ENGINE) against the real collector, with a 2 s session
// timeout.
import assert from 'node:assert/strict'
import { test, env, config, open, configure, hide, RUNS_IN } from './harness.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const short = (collector, extra = {}) => config(collector, { sessionTimeout: 2, ...extra })
const ofType = (collector, type) => collector.events(`event_type=${type}`)

test('a reload within the timeout keeps the session', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, short(collector))
  await sleep(500)
  await page.reload()
  await configure(page, short(collector))
  await page.evaluate(() => exponea.trackEvent({ name: 'after_reload' }))
  await collector.waitFor(async () => (await ofType(collector, 'after_reload')).length === 1, { what: 'event' })
  assert.equal((await ofType(collector, 'session_start')).length, 1)
  assert.equal((await ofType(collector, 'session_end')).length, 0)
})

test('hidden longer than the timeout ends the session with its duration', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, short(collector, { defaultProperties: { app: 'shop' } }))
  const started = Date.now()
  await sleep(1500)
  await hide(page)
  const hiddenAt = Date.now()
  const [end] = await collector.waitFor(async () => {
    const e = await ofType(collector, 'session_end')
    return e.length === 1 && e
  }, { timeout: 8000, what: 'session_end' })
  const [start] = await ofType(collector, 'session_start')
  const want = (hiddenAt - started) / 1000
  assert.ok(Math.abs(end.properties.duration - want) < 0.5, `duration ${end.properties.duration} s, want about ${want} s`)
  assert.ok(Math.abs(end.timestamp - hiddenAt / 1000) < 0.5, 'session_end is stamped with the last activity')
  assert.equal(end.properties.app, 'shop')
  assert.equal(end.customer_ids.cookie, start.customer_ids.cookie)
  assert.equal(start.properties.sdk, 'exponea-wasm')
})

for (const n of [2, 3]) {
  test(`${n} tabs opened at once give exactly one session_start`, async (t) => {
    const { pages, collector, browser } = await env(t)
    const ctx = await browser.newContext()
    const tabs = await Promise.all(Array.from({ length: n }, () => open(ctx, pages)))
    await Promise.all(tabs.map((p) => configure(p, short(collector))))
    await Promise.all(tabs.map((p, i) => p.evaluate((i) => exponea.trackEvent({ name: 'tab', properties: { i } }), i)))
    // Each tab stored its session decision before its tab event, in the
    // one queue that is sent in order: with the tab events, any
    // session_start is there too.
    await collector.waitFor(async () => (await ofType(collector, 'tab')).length === n, { what: `${n} tab events` })
    assert.equal((await ofType(collector, 'session_start')).length, 1)
    assert.equal((await ofType(collector, 'installation')).length, 1)
    const cookies = new Set((await collector.events()).map((e) => e.customer_ids.cookie))
    assert.equal(cookies.size, 1, 'one customer across the tabs')
  })
}

test('all tabs closed past the timeout: the next visit ends the old session at its last activity, then starts one', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const a = await open(ctx, pages, short(collector))
  const b = await open(ctx, pages, short(collector))
  await sleep(700)
  const closedAt = Date.now()
  await a.close()
  await b.close()
  await sleep(3000)
  const c = await open(ctx, pages, short(collector))
  await c.evaluate(() => exponea.trackEvent({ name: 'back' }))
  await collector.waitFor(async () => (await ofType(collector, 'back')).length === 1, { what: 'event' })
  const ends = await ofType(collector, 'session_end')
  const starts = await ofType(collector, 'session_start')
  assert.equal(ends.length, 1, 'one session_end')
  assert.equal(starts.length, 2, 'the old session and the new one')
  assert.ok(Math.abs(ends[0].timestamp - closedAt / 1000) < 1.2, `session_end at ${ends[0].timestamp}, tabs closed at ${closedAt / 1000}`)
  assert.ok(ends[0].timestamp <= starts[1].timestamp)
  assert.ok(ends[0].id < starts[1].id, 'the old session is ended before the new one starts')
})

// A tab that crashes says nothing: no pagehide, no 'bye'. In the origin's
// SharedWorker its SDK went on as the page left it, shown, its heartbeat
// keeping the session open for as long as any tab of the origin kept the
// worker running. The worker takes a shown page silent for 20 s for gone.
test('a tab that crashes while shown does not keep the session open: the other tab, hidden, ends it', { needs: ['crash'] }, async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const b = await open(ctx, pages, short(collector)) // first: the SharedWorker is not in a's renderer
  const a = await open(ctx, pages, short(collector))
  const shared = RUNS_IN === 'sharedworker'
  if (shared) await b.waitFor(() => exponea._bridge.others > 0, undefined, { what: 'tab b hears of tab a' })
  await a.crash()
  const crashedAt = Date.now()
  if (shared) {
    await b.waitFor(() => exponea._bridge.others === 0, undefined, { timeout: 40000, interval: 500, what: 'tab b hears that tab a has gone' })
    console.log(`# tab a taken for gone ${((Date.now() - crashedAt) / 1000).toFixed(1)} s after it crashed`)
  }
  // Tab b, shown and idle all along, was not taken for gone: its SDK never
  // had to start again.
  await b.evaluate(() => exponea.trackEvent({ name: 'still_here' }))
  await collector.waitFor(async () => (await ofType(collector, 'still_here')).length === 1, { what: 'tab b\'s event' })
  assert.equal(await b.evaluate(() => exponea._bridge.restarts), 0, 'tab b\'s SDK started again')
  const hiddenAt = Date.now()
  await hide(b)
  const [end] = await collector.waitFor(async () => {
    const e = await ofType(collector, 'session_end')
    return e.length === 1 && e
  }, { timeout: 8000, what: 'session_end once tab b is hidden' })
  assert.ok(Math.abs(end.timestamp - hiddenAt / 1000) < 1, `session_end at ${end.timestamp}, tab b hidden at ${hiddenAt / 1000}`)
  assert.equal((await ofType(collector, 'session_start')).length, 1)
})

test('anonymize in one tab: the other tab switches; events queued before keep the old cookie', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const cfg = short(collector, { flushMode: 'manual' })
  const a = await open(ctx, pages, cfg)
  const b = await open(ctx, pages, cfg)
  const old = await a.evaluate(() => exponea.getCustomerCookie())
  await a.evaluate(async () => {
    await exponea.identifyCustomer({ ids: { registered: 'a@b.com' } })
    await exponea.trackEvent({ name: 'before' })
    await exponea.anonymize()
  })
  const fresh = await a.evaluate(() => exponea.getCustomerCookie())
  assert.notEqual(fresh, old)
  await collector.waitFor(async () => (await b.evaluate(() => exponea.getCustomerCookie())) === fresh, { what: 'tab b switches' })
  await b.evaluate(() => exponea.trackEvent({ name: 'after_in_b' }))
  await a.evaluate(() => exponea.flushData())
  await b.evaluate(() => exponea.flushData())
  const [before] = await ofType(collector, 'before')
  const [after] = await ofType(collector, 'after_in_b')
  assert.deepEqual(before.customer_ids, { cookie: old, registered: 'a@b.com' })
  assert.deepEqual(after.customer_ids, { cookie: fresh })
  const ends = await ofType(collector, 'session_end')
  assert.equal(ends.length, 1)
  assert.equal(ends[0].customer_ids.cookie, old)
  const installs = await ofType(collector, 'installation')
  assert.deepEqual(installs.map((e) => e.customer_ids.cookie).sort(), [old, fresh].sort())
  const starts = await ofType(collector, 'session_start')
  assert.deepEqual(starts.map((e) => e.customer_ids.cookie).sort(), [old, fresh].sort())
})

test('manual sessions with automatic tracking off; ignored with a warning when it is on', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages, config(collector, { automaticSessionTracking: false, dbName: 'manual' }))
  await page.evaluate(async () => {
    await exponea.trackSessionStart({ timestamp: 1764320000 })
    await exponea.trackSessionEnd({ timestamp: 1764320042.5 })
  })
  const [end] = await collector.waitFor(async () => {
    const e = await ofType(collector, 'session_end')
    return e.length === 1 && e
  }, { what: 'session_end' })
  assert.equal(end.properties.duration, 42.5)
  assert.equal((await ofType(collector, 'session_start'))[0].timestamp, 1764320000)
  const bad = await page.evaluate(() => exponea.trackSessionStart({ timestamp: 'soon' }).catch((e) => `${e.constructor.name}: ${e.message}`))
  assert.match(bad, /^TypeError: trackSessionStart: timestamp/)

  const auto = await open(ctx, pages, config(collector, { dbName: 'auto' }))
  await auto.evaluate(async () => {
    await exponea.trackSessionStart()
    await exponea.trackEvent({ name: 'after_ignored_start' }) // stored after anything the start stored
  })
  const warnings = (await auto.console()).filter((m) => m.type === 'warning').map((m) => m.text)
  assert.ok(warnings.some((w) => /trackSessionStart/.test(w)), `warnings: ${warnings}`)
  await collector.waitFor(async () => (await ofType(collector, 'after_ignored_start')).length === 1, { what: 'the event after the ignored start' })
  assert.equal((await ofType(collector, 'session_start')).length, 2, 'the manual start and the automatic one of the second page only')
})
