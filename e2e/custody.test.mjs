// Custody from the first call: what a page does with the SDK as real pages
// do — calls fired without awaiting them, the tab closed or the page left in
// the same task, calls made before exponea.js has arrived, a Worker that
// dies — and the SDK keeps every call, delivering it once.
import assert from 'node:assert/strict'
import { test, env, config, open, hide, outlives } from './harness.mjs'

const stored = async (collector, type) => (await collector.events(`event_type=${type}`)).map((e) => e.properties.i)
const once = (seqs, n) => seqs.length === n && new Set(seqs).size === n

// fire calls trackEvent n times without awaiting, in the task of the
// evaluate, and returns at once.
const fire = (page, name, n) => page.evaluate(({ name, n }) => {
  for (let i = 0; i < n; i++) window.exponea.trackEvent({ name, properties: { i } })
}, { name, n })

for (const mode of ['immediate', 'period', 'appClose', 'manual']) {
  test(`calls fired right before the tab closes are delivered at close, or by the next visit, once (${mode})`, async (t) => {
    const { pages, collector, browser } = await env(t)
    const ctx = await browser.newContext()
    const first = mode === 'period' ? { flushMode: 'period', flushPeriod: 3600000 } : { flushMode: mode }
    const page = await open(ctx, pages, config(collector, first))
    const n = 5
    await fire(page, 'leave', n)
    await page.close()
    if (mode !== 'manual') await collector.waitFor(async () => (await stored(collector, 'leave')).length >= n, { what: `${n} events delivered at close` })
    const atClose = (await stored(collector, 'leave')).length
    const next = await open(ctx, pages, config(collector, { flushMode: 'manual' }))
    await next.evaluate(() => exponea.flushData())
    await collector.waitFor(async () => (await stored(collector, 'leave')).length >= n, { what: `${n} events after the next visit` })
    assert.ok(once(await stored(collector, 'leave'), n), 'each stored once')
    const { duplicates_received: dups } = await collector.stats()
    // What the close path sent stays queued until a confirmation, so the
    // next visit's flushData would have sent it again: a duplicate.
    if (mode === 'manual') assert.deepEqual({ atClose, dups }, { atClose: 0, dups: 0 }, 'manual mode sends nothing at close')
    console.log(`# ${mode}: ${atClose} of ${n} delivered at close, the rest on the next visit; ${dups} duplicates received (deduped)`)
  })
}

// Two tabs whose SDKs run in runtimes of their own (dedicated Workers: a
// page forces them, or a SharedWorker fails to start) send from one queue.
// What the first tab's runtime sends of the second tab's records must
// leave the second page's close path, or it sends them again as it closes:
// a duplicate for a backend that does not dedupe.
test("records one tab's runtime sent leave the close path of the tab that stored them: it does not send them again as it closes", async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const a = await open(ctx, pages, config(collector, { host: 'worker', flushMode: 'manual' }))
  const b = await open(ctx, pages, config(collector, { host: 'worker', flushMode: 'appClose' })) // sends only as it is hidden
  await b.evaluate(() => Promise.all([0, 1, 2].map((i) => exponea.trackEvent({ name: 'other', properties: { i } }))))
  const held = () => b.evaluate(() => [...exponea._closer.records.values()].filter((r) => r.body.includes('"other"')).length)
  assert.equal(await held(), 3, "page b's close path holds its records")
  await a.evaluate(() => exponea.flushData()) // tab a's runtime sends the queue: tab b's records too
  await collector.waitFor(async () => (await stored(collector, 'other')).length === 3, { what: "tab b's records, sent by tab a's runtime" })
  await b.waitFor(() => ![...exponea._closer.records.values()].some((r) => r.body.includes('"other"')), undefined, { what: "page b's close path forgets what tab a's runtime sent" })
  // Page b closes with one record of its own unsent: what it sends at close
  // arrives, and nothing twice.
  await b.evaluate(() => exponea.trackEvent({ name: 'last' }))
  await b.close()
  await collector.waitFor(async () => (await stored(collector, 'last')).length === 1, { what: 'the record page b sent at close' })
  assert.ok(once(await stored(collector, 'other'), 3), 'each stored once')
  assert.equal((await collector.stats()).duplicates_received, 0, 'nothing received twice')
})

// A tab closes while its SharedWorker is sending what it tracked, and
// another tab of the site keeps the worker running: the worker's request
// finishes and is answered, so the closing page must not send its own copy
// of it as well (a duplicate for a backend that does not dedupe). Where
// the Go side is the page's own (a dedicated Worker), it ends with the
// page, and the page's copy is what delivers.
// WebKit may start the worker again when the tab that started it closes:
// both tabs are tried.
for (const closing of ['the tab that started the worker', 'a tab that joined it']) {
  test(`a tab that closes while a worker another tab keeps running is sending its records sends no copy of them (${closing})`, async (t) => {
    const { pages, collector, browser } = await env(t)
    const ctx = await browser.newContext()
    const first = await open(ctx, pages, config(collector))
    const second = await open(ctx, pages, config(collector))
    const [b, a] = closing.startsWith('the tab that started') ? [first, second] : [second, first]
    const shared = await b.evaluate(() => exponea.runsIn === 'sharedworker')
    if (shared) await b.waitFor(() => exponea._bridge.others > 0, undefined, { what: 'the closing tab hears of the other' })
    await b.waitFor(async () => (await exponea.getQueueLength()) === 0, undefined, { what: 'the start-up records sent' })
    await collector.fault({ delay_ms: 2000, times: 1 }) // the collector holds the worker's next request
    await b.evaluate(() => Promise.all([0, 1].map((i) => exponea.trackEvent({ name: 'inflight', properties: { i } }))))
    await new Promise((r) => setTimeout(r, 500)) // the worker's request for them is under way
    await b.close()
    await collector.waitFor(async () => (await stored(collector, 'inflight')).length === 2, { what: "the closing tab's records", timeout: 20000 })
    await new Promise((r) => setTimeout(r, 2500)) // the held request, answered
    assert.ok(once(await stored(collector, 'inflight'), 2), 'each stored once')
    const { duplicates_received: dups } = await collector.stats()
    if (shared) assert.equal(dups, 0, 'received once: the worker sent them, the closing page did not')
    console.log(`# ${await a.evaluate(() => exponea.runsIn)}, ${closing} closed: ${dups} received twice`)
  })
}

test('calls fired right before a tab closes while another tab of the site is open are delivered, once', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const a = await open(ctx, pages, config(collector))
  const b = await open(ctx, pages, config(collector))
  const shared = await b.evaluate(() => exponea.runsIn === 'sharedworker')
  if (shared) await b.waitFor(() => exponea._bridge.others > 0, undefined, { what: 'tab b hears of tab a' })
  await fire(b, 'closing', 5)
  await b.close()
  await collector.waitFor(async () => (await stored(collector, 'closing')).length >= 5, { what: 'the 5 calls' })
  await a.evaluate(() => exponea.flushData())
  assert.ok(once(await stored(collector, 'closing'), 5), 'each stored once')
  // Where tab b's Go side was its own (a dedicated Worker), it ended with
  // the page, which sent its calls at close; no one sees the answers, so
  // tab a's flushData sends them again (at least once, delivery.md).
  const { duplicates_received: dups } = await collector.stats()
  if (shared) assert.equal(dups, 0, 'nothing received twice: the worker sent them, the page did not')
  console.log(`# ${await a.evaluate(() => exponea.runsIn)}: ${dups} received twice`)
})

// A frame of the same tab that runs the SDK too goes with the tab: the
// page must not leave its sends to a worker the frame seems to keep
// running (in Firefox and WebKit it ends with the tab).
test('calls fired right before a tab closes are delivered at close, though a frame of the tab runs the SDK too', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const cfg = config(collector)
  const page = await open(ctx, pages, cfg)
  const frame = await page.evaluate(async (cfg) => {
    const f = document.createElement('iframe')
    f.src = '/'
    await new Promise((resolve) => { f.onload = resolve; document.body.append(f) })
    f.contentWindow.eval(`window.started = import('/dist/exponea.mjs').then(async (m) => { window.exponea = await m.Exponea.configure(${JSON.stringify(cfg)}); return window.exponea.runsIn })`)
    return f.contentWindow.started
  }, cfg)
  const shared = frame === 'sharedworker'
  await new Promise((r) => setTimeout(r, 300)) // the worker has heard of both
  if (shared) assert.equal(await page.evaluate(() => exponea._bridge.others), 0, 'the frame is of the same tab')
  await fire(page, 'framed', 5)
  await page.close()
  await collector.waitFor(async () => (await stored(collector, 'framed')).length >= 5, { what: 'the 5 calls, at close' })
  assert.ok(once(await stored(collector, 'framed'), 5), 'each stored once')
})

test('calls fired as the page leaves for another site in the same task are delivered at close', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector))
  const elsewhere = pages.url.replace('127.0.0.1', 'localhost') + '/?elsewhere' // another origin
  const before = await page.evaluate(async () => ({ onLine: navigator.onLine, runsIn: exponea.runsIn, startup: exponea.startup, queue: await exponea.getQueueLength(), stats: await exponea.getStats() }))
  await page.evaluate((to) => setTimeout(() => { // a click handler's task, after the evaluate has answered
    for (let i = 0; i < 3; i++) exponea.trackEvent({ name: 'click', properties: { i } })
    location.href = to
  }), elsewhere)
  // What the collector holds if they do not all come (seen twice under the
  // dedicated Worker host in Chromium, not reproduced since).
  const seen = async () => `stored ${JSON.stringify(await stored(collector, 'click'))}, collector ${JSON.stringify(await collector.stats())}; the page before: ${JSON.stringify(before)}`
  await collector.waitFor(async () => (await stored(collector, 'click')).length >= 3, { what: 'the clicks, sent as the page left' })
    .catch(async (e) => { throw new Error(`${e.message}: ${await seen()}`) })
  assert.deepEqual((await stored(collector, 'click')).sort(), [0, 1, 2], await seen())
})

test('calls fired as the page leaves for a page of its site without the SDK wait, journaled, for the next page with it, which sends them once', { needs: ['navigation'] }, async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages, config(collector))
  // The session start delivered first: a request still in flight as the page
  // goes is cut off, and resent by the next page (the known duplicate, gone
  // only with a host that outlives the page).
  await page.waitFor(async () => (await exponea.getQueueLength()) === 0, undefined, { what: 'the session start delivered' })
  await page.evaluate(() => setTimeout(() => { // a click handler's task, after the evaluate has answered
    for (let i = 0; i < 3; i++) exponea.trackEvent({ name: 'click', properties: { i } })
    location.href = '/?next' // no SDK there
  }))
  await page.waitFor(() => location.search === '?next', undefined, { what: 'the next page', navigating: true })
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('exponea:j:')).length), 1, 'the calls are in the journal')
  const next = await open(ctx, pages, config(collector))
  await collector.waitFor(async () => (await stored(collector, 'click')).length === 3, { what: 'the clicks, sent by the next page with the SDK' })
  await next.waitFor(async () => (await exponea.getQueueLength()) === 0, undefined, { what: 'the queue delivered' })
  assert.equal((await collector.stats()).duplicates_received, 0, 'each received once')
})

test('a navigation a router intercepts keeps the page: what it tracked goes out at once, not held for the next page', { needs: ['navigation'] }, async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector))
  await page.evaluate(() => {
    // A router (after the SDK's listener): every same-origin navigation
    // becomes a route change of this document, done at once.
    navigation.addEventListener('navigate', (e) => { if (e.canIntercept) e.intercept({ handler: async () => {} }) })
    exponea.trackEvent({ name: 'routed' })
    navigation.navigate('/?route=2')
  })
  // Held, the calls would wait LEAVE_HOLD_MS (10 s): both waits end well
  // before that.
  await page.waitFor(() => location.search === '?route=2' && !exponea._bridge.held, undefined, { what: 'the route, and the page no longer holding its calls', timeout: 3000 })
  await collector.waitFor(async () => (await collector.events('event_type=routed')).length === 1, { what: 'the event, sent from the page', timeout: 3000 })
})

test('calls made before exponea.js arrives survive a tab that closes first, and the next page sends them once, in order', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const cfg = config(collector, { flushMode: 'manual' })
  const page = await ctx.newPage()
  await page.goto(pages.url + '/snippet.html?scriptDelay=never') // exponea.js is still on its way when the tab closes
  await page.evaluate((cfg) => {
    const e = Exponea.configure(cfg)
    for (let i = 0; i < 4; i++) e.trackEvent({ name: 'early', properties: { i } })
    e.identifyCustomer({ ids: { registered: 'early@b.c' } })
  }, cfg)
  assert.equal(await page.evaluate(() => typeof Exponea.q), 'object', 'exponea.js had not arrived')
  await page.close()

  const next = await ctx.newPage()
  await next.goto(pages.url + '/snippet.html')
  await next.evaluate(async (cfg) => {
    window.exponea = Exponea.configure(cfg) // on the stub: exponea.js may not be there yet
    await window.exponea.ready
    await window.exponea.flushData()
  }, cfg)
  const got = await collector.waitFor(async () => {
    const ev = await collector.events('event_type=early')
    return ev.length >= 4 && ev
  }, { what: 'the early events' })
  assert.deepEqual(got.map((e) => e.properties.i), [0, 1, 2, 3], 'once each, in order')
  const customers = await collector.customers()
  assert.ok(customers.some((c) => c.customer_ids.registered === 'early@b.c'), 'the identify too')
  assert.deepEqual(got.map((e) => e.timestamp).sort(), got.map((e) => e.timestamp), 'stamped when they were made')
})

test('the snippet: calls before the SDK loads go through, with their Promises', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto(pages.url + '/snippet.html?scriptDelay=manual')
  const result = await page.evaluate(async (cfg) => {
    const e = Exponea.configure(cfg)
    const early = typeof Exponea.q // the stub's queue: the SDK is not in yet
    setTimeout(loadSDK, 200)
    const p = e.trackEvent({ name: 'stubbed' })
    const bad = e.trackEvent({ name: '' }).then(() => 'resolved', (err) => err.constructor.name)
    // The stub's client chains like a Promise too.
    let finallyRan = false
    const chained = e.catch(() => 'failed').finally(() => { finallyRan = true })
    const ready = await e
    await p
    return {
      early, bad: await bad, after: await ready.trackEvent({ name: 'after' }).then(() => 'ok'), real: typeof Exponea.q,
      chained: (await chained) === ready, finallyRan, readyHasThen: typeof ready.then,
    }
  }, config(collector))
  assert.deepEqual(result, { early: 'object', bad: 'TypeError', after: 'ok', real: 'undefined', chained: true, finallyRan: true, readyHasThen: 'undefined' })
  await collector.waitFor(async () => (await collector.events('event_type=stubbed')).length === 1, { what: 'the stubbed event' })
})

// A Worker that dies mid-burst and mid-flush: reliability scenario 15,
// which make test runs in every engine (every Promise settles, nothing is
// lost or stored twice, sending goes on in a new Worker).

for (const auth of ['Token', 'Basic']) {
  test(`with ${auth} authorization a tab switch never stops sending`, async (t) => {
    const { pages, collector, browser } = await env(t, { extra: ['-private', 'id:secret'] })
    const authorization = auth === 'Token' ? undefined : `Basic ${Buffer.from('id:secret').toString('base64')}`
    const page = await open(await browser.newContext(), pages, config(collector, { flushMode: 'appClose', ...(authorization && { authorization }) }))
    await page.evaluate(() => {
      window.keepalives = 0
      window.errors = []
      exponea.on('error', (e) => window.errors.push(e))
      const orig = window.fetch
      window.fetch = function (url, init) {
        if (init && init.keepalive) window.keepalives++
        return orig.apply(this, arguments)
      }
    })
    await page.evaluate(() => Promise.all([1, 2, 3].map((i) => exponea.trackEvent({ name: 'switch', properties: { i } }))))
    await hide(page)
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
      return exponea.setFlushMode('immediate')
    })
    await page.evaluate(() => Promise.all([4, 5, 6].map((i) => exponea.trackEvent({ name: 'switch', properties: { i } }))))
    await collector.waitFor(async () => (await stored(collector, 'switch')).length === 6, { what: 'all six' })
    const { keepalives, errors } = await page.evaluate(() => ({ keepalives: window.keepalives, errors: window.errors }))
    // Where the SDK's SharedWorker outlives the page (Chromium) it sends at
    // hide itself, with the configured authorization; elsewhere the page's
    // close path does, with a Token key only.
    if (await outlives(page)) assert.equal(keepalives, 0, 'the worker sent, not the page')
    else if (auth === 'Token') assert.ok(keepalives > 0, 'the close path sent')
    else assert.equal(keepalives, 0, 'no close path without a Token key')
    assert.ok(!errors.some((e) => e.paused), `sending was paused: ${JSON.stringify(errors)}`)
  })
}

test('a page that cannot load the SDK keeps the calls journaled, and a later page sends them', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages)
  const cfg = config(collector, { wasmUrl: '/dist/missing.wasm' })
  const outcome = await page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    const e = Exponea.configure(cfg)
    const errors = []
    e.on('error', (r) => errors.push(r.message))
    const p = e.trackEvent({ name: 'stranded' }).then(() => 'resolved', (err) => err.message)
    const ready = await e.ready.then(() => 'ready', (err) => err.message)
    return { ready, call: await p, errors }
  }, cfg)
  assert.match(outcome.ready, /could not start: .*missing\.wasm.*404/)
  assert.match(outcome.call, /stays in the page's journal/)
  assert.ok(outcome.errors.length > 0, 'an error report says why')
  await page.close()
  const next = await open(ctx, pages, config(collector))
  await collector.waitFor(async () => (await collector.events('event_type=stranded')).length === 1, { what: 'the stranded event' })
  await next.close()
})

test('configure returns the client at once and throws on bad configuration', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages)
  const r = await page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    const out = {}
    try { Exponea.configure({ ...cfg, flushMaxRetries: 0 }) } catch (e) { out.bad = `${e.constructor.name}: ${e.message}` }
    const e = Exponea.configure(cfg)
    out.sync = typeof e.trackEvent === 'function' && e.storage === undefined
    const p = e.trackEvent({ name: 'at-once' })
    const awaited = await e
    out.same = awaited.getFlushMode() === e.getFlushMode() && awaited.storage === 'indexeddb' && typeof awaited.then === 'undefined'
    await p
    return out
  }, config(collector))
  assert.deepEqual(r, { bad: 'RangeError: configure: flushMaxRetries must be between 1 and 1000', sync: true, same: true })
  await collector.waitFor(async () => (await collector.events('event_type=at-once')).length === 1, { what: 'the event' })
})

