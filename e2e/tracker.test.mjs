// The tracker end to end: the SDK in a browser engine ($ENGINE), the real
// collector.
import assert from 'node:assert/strict'
import { test, env, config, open, configure } from './harness.mjs'
import { batchRequests } from './reliability/count.mjs'

test('events and identify arrive in the Bloomreach format, with the cookie and merged ids', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages, config(collector, { defaultProperties: { app: 'shop', price: 0 } }))
  const cookie = await page.evaluate(async () => {
    await exponea.trackEvent({ name: 'purchase', properties: { price: 123.45, item: 'book' }, timestamp: 1764320000.5 })
    await exponea.identifyCustomer({ ids: { registered: 'a@b.com' }, properties: { payingCustomer: true } })
    await exponea.trackEvent({ name: 'after_identify' })
    return exponea.getCustomerCookie()
  })
  assert.match(cookie, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const events = await collector.waitFor(async () => {
    const ev = await collector.events()
    return ev.length === 4 && ev
  }, { what: '4 events' })
  const byType = Object.fromEntries(events.map((e) => [e.event_type, e]))
  assert.deepEqual(Object.keys(byType).sort(), ['after_identify', 'installation', 'purchase', 'session_start'])
  assert.deepEqual(byType.purchase.customer_ids, { cookie })
  assert.deepEqual(byType.purchase.properties, { app: 'shop', price: 123.45, item: 'book' })
  assert.equal(byType.purchase.timestamp, 1764320000.5)
  assert.match(byType.purchase.command_id, /^[0-9a-f-]{36}$/)
  assert.deepEqual(byType.after_identify.customer_ids, { cookie, registered: 'a@b.com' })
  assert.equal(byType.installation.properties.sdk, 'exponea-wasm')
  assert.equal(byType.installation.properties.os_name, 'Linux')
  assert.ok(byType.installation.properties.browser)
  const customers = await collector.waitFor(async () => (await collector.customers()).length === 1 && collector.customers())
  assert.deepEqual(customers[0].customer_ids, { cookie, registered: 'a@b.com' })
  assert.deepEqual(customers[0].properties, { app: 'shop', price: 0, payingCustomer: true })
  // The collector stores a batch before it answers; the SDK deletes the
  // records when the answer reaches it, a moment later.
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'the queue emptied by the answers' })
})

test('the cookie survives a reload and installation is tracked once', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages, config(collector))
  const first = await page.evaluate(() => exponea.getCustomerCookie())
  await page.reload()
  await configure(page, config(collector))
  const second = await page.evaluate(() => exponea.getCustomerCookie())
  assert.equal(second, first)
  const other = await open(ctx, pages, config(collector)) // a second tab
  assert.equal(await other.evaluate(() => exponea.getCustomerCookie()), first)
  await page.evaluate(() => exponea.trackEvent({ name: 'ping' }))
  await collector.waitFor(async () => (await collector.events('event_type=ping')).length === 1, { what: 'ping' })
  const installs = await collector.events('event_type=installation')
  assert.equal(installs.length, 1)
  assert.equal(installs[0].customer_ids.cookie, first)
})

test('events queued while the collector is down survive a reload and arrive once it is back', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages, config(collector))
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'installation and session_start delivered' })
  await collector.stop()
  await page.evaluate(async () => {
    for (let i = 0; i < 5; i++) await exponea.trackEvent({ name: 'offline', properties: { i } })
  })
  await page.reload()
  await configure(page, config(collector))
  assert.equal(await page.evaluate(() => exponea.getQueueLength()), 5)
  await collector.start()
  // The SDK backs off after the failures; a manual flush need not be
  // called: the retry timer brings them.
  const got = await collector.waitFor(async () => {
    const ev = await collector.events('event_type=offline')
    return ev.length >= 5 && ev
  }, { timeout: 20000, what: '5 offline events' })
  assert.deepEqual(got.map((e) => e.properties.i).sort(), [0, 1, 2, 3, 4])
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'empty queue' })
})

test('bad input rejects with a TypeError or RangeError naming the field and stores nothing', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector, { flushMode: 'manual' }))
  const results = await page.evaluate(async () => {
    const circular = { a: 1 }
    circular.self = circular
    const cases = {
      noName: { properties: {} },
      emptyName: { name: '' },
      numberName: { name: 5 },
      arrayProps: { name: 'e', properties: [1, 2] },
      fn: { name: 'e', properties: { cb() {} } },
      symbol: { name: 'e', properties: { s: Symbol('x') } },
      circular: { name: 'e', properties: { nested: circular } },
      nan: { name: 'e', properties: { price: NaN } },
      infinity: { name: 'e', properties: { list: [1, Infinity] } },
      bigint: { name: 'e', properties: { n: 10n } },
      bigValue: { name: 'e', properties: { blob: 'x'.repeat(17 * 1024) } },
      bigRecord: { name: 'e', properties: Object.fromEntries(Array.from({ length: 60 }, (_, i) => ['k' + i, 'y'.repeat(15000)])) },
      notObject: 'purchase',
    }
    const out = {}
    for (const [k, v] of Object.entries(cases)) {
      try { await exponea.trackEvent(v); out[k] = 'resolved' } catch (e) { out[k] = `${e.constructor.name}: ${e.message}` }
    }
    for (const [k, v] of Object.entries({ idNumber: { ids: { registered: 5 } }, idCookie: { ids: { cookie: 'x' } } })) {
      try { await exponea.identifyCustomer(v); out[k] = 'resolved' } catch (e) { out[k] = `${e.constructor.name}: ${e.message}` }
    }
    out.queue = await exponea.getQueueLength()
    return out
  })
  const want = {
    noName: /^TypeError: trackEvent: name /,
    emptyName: /^TypeError: trackEvent: name /,
    numberName: /^TypeError: trackEvent: name /,
    arrayProps: /^TypeError: trackEvent: properties must be an object/,
    fn: /^TypeError: trackEvent: properties\.cb is a function/,
    symbol: /^TypeError: trackEvent: properties\.s is a symbol/,
    circular: /^TypeError: trackEvent: properties\.nested\.self refers back to itself/,
    nan: /^RangeError: trackEvent: properties\.price is NaN/,
    infinity: /^RangeError: trackEvent: properties\.list\[1\] is Infinity/,
    bigint: /^TypeError: trackEvent: properties\.n is a BigInt/,
    bigValue: /^RangeError: trackEvent: properties\.blob is \d+ bytes encoded, over the 16 KB limit/,
    bigRecord: /^RangeError: trackEvent: event is \d+ bytes encoded, over the 800 KB limit/,
    notObject: /^TypeError: trackEvent: event must be an object/,
    idNumber: /^TypeError: identifyCustomer: ids\.registered must be a non-empty string/,
    idCookie: /^TypeError: identifyCustomer: ids\.cookie is managed by the SDK/,
  }
  for (const [k, re] of Object.entries(want)) assert.match(results[k], re, k)
  assert.equal(results.queue, 2, 'only installation and session_start are queued')
})

test('configure twice returns the same client, or rejects a different configuration', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages)
  const out = await page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    const [a, b] = await Promise.all([Exponea.configure(cfg), Exponea.configure(cfg)])
    let other
    try { await Exponea.configure({ ...cfg, flushMode: 'manual' }) } catch (e) { other = `${e.constructor.name}: ${e.message}` }
    let bad
    try { await (await import('/dist/exponea.mjs')).Exponea.configure(null) } catch (e) { bad = `${e.constructor.name}: ${e.message}` }
    return { same: a === b, other, bad }
  }, config(collector))
  assert.equal(out.same, true)
  assert.match(out.other, /^Error: Exponea.configure: already configured/)
  assert.match(out.bad, /^TypeError: configure: config must be an object/)
})

test('a bad configuration rejects with the field named', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages)
  const out = await page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    const errs = []
    for (const c of [{ ...cfg, projectToken: '' }, { ...cfg, flushMode: 'sometimes' }]) {
      try { await Exponea.configure(c); errs.push('resolved') } catch (e) { errs.push(`${e.constructor.name}: ${e.message}`) }
    }
    return errs
  }, config(collector))
  assert.match(out[0], /^TypeError: configure: projectToken must be a non-empty string/)
  assert.match(out[1], /^RangeError: configure: flushMode must be one of/)
})

test('the script-tag build defines window.Exponea and delivers', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, null, { path: '/script-tag.html' })
  await page.waitFor(() => !!window.Exponea)
  await page.evaluate(async (cfg) => {
    const e = await Exponea.configure(cfg)
    await e.trackEvent({ name: 'from_script_tag' })
  }, config(collector))
  await collector.waitFor(async () => (await collector.events('event_type=from_script_tag')).length === 1, { what: 'event' })
})

test('a burst of 500 calls is stored in few transactions and sent in few requests', async (t) => {
  const { pages, collector, browser } = await env(t)
  // debug: the Worker logs each transaction of calls it stores.
  const page = await open(await browser.newContext(), pages, config(collector, { debug: true }))
  await collector.waitFor(async () => (await collector.events('event_type=installation')).length === 1, { what: 'installation' })
  const before = await collector.stats()
  await page.evaluate(async () => {
    const ps = []
    for (let i = 0; i < 500; i++) ps.push(exponea.trackEvent({ name: 'burst', properties: { seq: i } }))
    await Promise.all(ps)
  })
  const ev = await collector.waitFor(async () => {
    const e = await collector.events('event_type=burst')
    return e.length === 500 && e
  }, { what: '500 events' })
  assert.equal(new Set(ev.map((e) => e.properties.seq)).size, 500)
  const stores = (await page.console()).filter((m) => m.where === 'worker').map((m) => m.text.match(/\[exponea\] stored (\d+) records of (\d+) calls/)).filter(Boolean)
  assert.equal(stores.reduce((n, m) => n + Number(m[2]), 0), 500, `the stores logged: ${stores.map((m) => m[0]).join('; ')}`)
  // Made in one task, the 500 calls reach the Worker in one piece (of at
  // most 500, MAX_CALLS_PER_APPLY) and are stored in one transaction.
  assert.equal(stores.length, 1, `500 calls stored in ${stores.length} transactions`)
  const stats = await collector.stats()
  const requests = batchRequests(stats) - batchRequests(before)
  // 500 commands need at least 10 requests of 50; coalescing keeps it there
  // (one more may carry session_start). CORS preflights are the browser's,
  // not counted: Firefox sends several before its preflight cache holds.
  assert.ok(requests <= 11, `used ${requests} requests for 500 events`)
  assert.equal(stats.duplicates_received, 0)
  console.log(`# burst of 500: ${stores.length} transactions (${stores.map((m) => m[2]).join(' + ')} calls), ${requests} requests`)
})

test('configure(...) chains like a Promise: then, catch and finally wait for ready; a start that fails reaches catch', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages)
  const ok = await page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    let finallyRan = false
    const client = Exponea.configure(cfg)
    const caught = client.catch((e) => `caught ${e.message}`)
    const fin = client.finally(() => { finallyRan = true })
    const ready = await client.then((c) => c)
    const c1 = await caught
    const f1 = await fin
    return {
      finallyRan, storage: ready.storage, caughtIsClient: c1 === ready, finallyGaveClient: f1 === ready,
      viewHas: [typeof ready.then, typeof ready.catch, typeof ready.finally],
      isPromise: [client.catch(() => {}) instanceof Promise, client.finally(() => {}) instanceof Promise],
    }
  }, config(collector))
  assert.deepEqual(ok, {
    finallyRan: true, storage: 'indexeddb', caughtIsClient: true, finallyGaveClient: true,
    viewHas: ['undefined', 'undefined', 'undefined'], isPromise: [true, true],
  })
  // A start that fails (no wasm there): catch gets the reason, finally runs.
  const other = await open(ctx, pages)
  const failed = await other.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    let ran = false
    const reason = await Exponea.configure({ ...cfg, wasmUrl: '/dist/missing.wasm', worker: false, dbName: 'chain-fail' })
      .finally(() => { ran = true })
      .catch((e) => e instanceof Error && e.message)
    return { reason, ran }
  }, config(collector))
  assert.equal(failed.ran, true)
  assert.match(failed.reason, /could not start.*missing\.wasm/)
})
