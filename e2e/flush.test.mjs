// Flushing as the seed describes it: the four modes, offline, retries that
// honour the server, poison records, and delivery at page close — in a
// browser engine ($ENGINE) against the real collector with its
// fault-injection flag.
import assert from 'node:assert/strict'
import { test, env, config, open, hide, outlives } from './harness.mjs'
import { countReceipts } from './receipts.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// batchRequests returns the POSTs to the batch endpoint that page and its
// Worker made since the time since (ms since the epoch), oldest first, each
// with the time it was sent (at) and its status (null until answered or on
// a network error), as the page's observer recorded them.
async function batchRequests(page, since = 0) {
  return (await page.requests()).filter((r) => r.method === 'POST' && r.url.includes('/batch') && r.at >= since).sort((a, b) => a.at - b.at)
}

async function track(page, name, n, extra = {}) {
  await page.evaluate(async ({ name, n, extra }) => {
    const ps = []
    for (let i = 0; i < n; i++) ps.push(exponea.trackEvent({ name, properties: { i, ...extra } }))
    await Promise.all(ps)
  }, { name, n, extra })
}

const count = async (collector, type) => (await collector.events(`event_type=${type}`)).length

test('manual mode sends nothing until flushData, which reports the counts', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector, { flushMode: 'manual' }))
  await track(page, 'm', 30)
  await sleep(1500)
  assert.equal((await batchRequests(page)).length, 0, 'no request before flushData')
  const res = await page.evaluate(() => exponea.flushData())
  assert.deepEqual({ sent: res.sent, confirmed: res.confirmed, kept: res.kept, dropped: res.dropped }, { sent: 32, confirmed: 32, kept: 0, dropped: 0 }) // + installation, session_start
  assert.ok((await batchRequests(page)).length >= 1, 'flushData\'s requests are seen (the observer works)')
  assert.equal(await count(collector, 'm'), 30)
  assert.equal(await page.evaluate(() => exponea.getFlushMode()), 'manual')
})

test('period mode sends at each flushPeriod boundary and not before', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector, { flushMode: 'period', flushPeriod: 3600000 }))
  // setFlushPeriod restarts the period when the SDK takes the call, which
  // is after t0: its boundaries are at least 2000, 4000, ... ms after t0.
  const t0 = Date.now()
  await page.evaluate(() => exponea.setFlushPeriod(2000))
  await track(page, 'p', 5)
  await collector.waitFor(async () => (await count(collector, 'p')) === 5, { timeout: 6000, what: 'p sent at the first boundary' })
  const first = (await batchRequests(page, t0))[0].at - t0
  assert.ok(first >= 2000 && first < 4000, `first request ${first} ms after the period started; want it at the first boundary, 2000 ms`)
  // Tracked after the first boundary, q waits for the second.
  const tracked = Date.now() - t0
  await track(page, 'q', 3)
  assert.ok(tracked < 4000, `q tracked ${tracked} ms after the period started, past the second boundary: too slow to tell`)
  await collector.waitFor(async () => (await count(collector, 'q')) === 3, { timeout: 6000, what: 'q sent at the second boundary' })
  const next = (await batchRequests(page, t0)).find((r) => r.at - t0 >= tracked).at - t0
  assert.ok(next >= 4000 && next < 6000, `the request after q was tracked (at ${tracked} ms) went at ${next} ms; want the second boundary, 4000 ms`)
  console.log(`# period 2000 ms: the first request at ${first} ms, q tracked at ${tracked} ms and sent at ${next} ms`)
  // Switching to immediate at runtime takes effect at once.
  await page.evaluate(() => exponea.setFlushMode('immediate'))
  await track(page, 'now', 1)
  await collector.waitFor(async () => (await count(collector, 'now')) === 1, { timeout: 1500, what: 'immediate after switch' })
})

test('appClose mode sends only when the page is hidden', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector, { flushMode: 'appClose' }))
  await track(page, 'a', 10)
  await sleep(1500)
  assert.equal((await batchRequests(page)).length, 0, 'no request while visible')
  await hide(page)
  await collector.waitFor(async () => (await count(collector, 'a')) === 10, { what: 'sent at hide' })
  assert.ok((await batchRequests(page)).length >= 1, 'the requests at hide are seen (the observer works)')
  // The close path's answer is applied when the page lives on.
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'queue emptied by the keepalive answer' })
})

test('offline: nothing is sent; online: everything arrives', { needs: ['offline'] }, async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages, config(collector))
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'installation and session_start delivered' })
  await ctx.setOffline(true)
  const t0 = Date.now()
  await track(page, 'off', 20)
  await sleep(1500)
  assert.equal((await batchRequests(page, t0)).length, 0, 'no request while offline')
  await ctx.setOffline(false)
  await collector.waitFor(async () => (await count(collector, 'off')) === 20, { what: '20 events after online' })
  assert.ok((await batchRequests(page, t0)).length >= 1, 'the requests after online are seen (the observer works)')
})

test('503 with Retry-After: 2 → no request before 2 s, then everything arrives', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector))
  await page.evaluate(() => { window.errors = []; exponea.on('error', (e) => window.errors.push(e)) })
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'installation and session_start delivered' })
  const t0 = Date.now()
  await collector.fault({ status: 503, retry_after: '2', times: 1 })
  await track(page, 'ra', 10)
  await collector.waitFor(async () => (await count(collector, 'ra')) === 10, { timeout: 10000, what: '10 events after the 503' })
  const log = await batchRequests(page, t0)
  const i503 = log.findIndex((e) => e.status === 503)
  assert.ok(i503 >= 0, 'the 503 was seen')
  const next = log[i503 + 1]
  assert.ok(next, 'a request followed the 503')
  assert.ok(next.at - log[i503].at >= 1950, `retried after ${next.at - log[i503].at} ms; Retry-After said 2 s`)
  await collector.waitFor(async () => (await page.evaluate(() => window.errors)).some((e) => /503/.test(e.message) && e.retryAt), { what: 'an error report with retryAt' })
})

test('a poison record is dropped with a drop report while 99 others arrive', async (t) => {
  for (const mode of ['command', 'batch']) {
    await t.test(`poison in ${mode} mode`, async (t) => {
      const { pages, collector, browser } = await env(t)
      const page = await open(await browser.newContext(), pages, config(collector, { flushMode: 'manual', flushMaxRetries: 2 }))
      await collector.fault({ poison_event_type: 'poison', poison_mode: mode })
      await page.evaluate(() => { window.drops = []; exponea.on('drop', (e) => window.drops.push(e)) })
      await page.evaluate(async () => {
        const ps = []
        for (let i = 0; i < 100; i++) ps.push(exponea.trackEvent({ name: i === 37 ? 'poison' : 'good', properties: { i } }))
        await Promise.all(ps)
        await exponea.setFlushMode('immediate')
      })
      const drops = await collector.waitFor(async () => {
        const d = await page.evaluate(() => window.drops)
        return d.length === 1 && d
      }, { timeout: 15000, what: 'a drop report' })
      assert.equal(await count(collector, 'good'), 99)
      assert.equal(await count(collector, 'poison'), 0)
      assert.equal(drops[0].kind, 'event')
      assert.equal(drops[0].rejections, 2)
      assert.match(drops[0].reason, /poison/)
      await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'empty queue' })
    })
  }
})

for (const mode of ['immediate', 'appClose']) {
  test(`events tracked right before the tab closes reach the collector once (${mode}), received once each`, async (t) => {
    const { pages, collector, browser } = await env(t)
    const receipts = await countReceipts(collector)
    t.after(() => receipts.close())
    const page = await open(await browser.newContext(), pages, config(collector, { flushMode: mode, baseUrl: receipts.url }))
    const host = await outlives(page)
    await track(page, 'bye', 20)
    await page.close()
    await collector.waitFor(async () => (await count(collector, 'bye')) >= 20, { timeout: 10000, what: '20 events after close' })
    const seqs = (await collector.events('event_type=bye')).map((e) => e.properties.i).sort((a, b) => a - b)
    assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i), 'each stored once')
    if (!host) return
    // Where the worker outlives the page, it alone sends: no close-time
    // copy, so a backend that does not dedupe receives each once.
    await sleep(1000)
    const bye = receipts.commands().filter((c) => c.type === 'bye')
    assert.equal(bye.length, 20)
    for (const c of bye) assert.deepEqual(c.how, ['sdk'], `received ${c.times} times (${c.how.join(', ')})`)
  })
}

test('a 200 KB backlog at close stays inside the keepalive budget; the rest arrives on the next visit', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const cfg = config(collector, { flushMode: 'appClose' })
  const page = await open(ctx, pages, cfg)
  // Record every keepalive fetch the SDK makes and how it ended.
  await page.evaluate(() => {
    window.keepalive = []
    window.inFlight = 0
    window.maxInFlight = 0
    const orig = window.fetch
    window.fetch = function (url, init) {
      const p = orig.apply(this, arguments)
      if (init && init.keepalive) {
        const e = { bytes: new Blob([init.body]).size, ok: null }
        window.keepalive.push(e)
        window.inFlight += e.bytes
        window.maxInFlight = Math.max(window.maxInFlight, window.inFlight)
        const settle = () => { window.inFlight -= e.bytes }
        p.then((r) => { e.ok = r.ok; settle() }, (err) => { e.ok = false; e.error = String(err); settle() })
      }
      return p
    }
  })
  await track(page, 'backlog', 100, { pad: 'x'.repeat(2000) }) // ~215 KB of commands
  const host = await outlives(page)
  await page.evaluate(() => { // a real close: pagehide, then visibilitychange→hidden, in one task
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }))
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
  })
  if (host) {
    // The worker outlives the page and sends the backlog itself, with no
    // keepalive budget to keep: the page sends nothing at close.
    await collector.waitFor(async () => (await count(collector, 'backlog')) === 100, { what: 'the backlog, sent by the worker' })
    assert.deepEqual(await page.evaluate(() => window.keepalive), [], 'no keepalive request from the page')
    return
  }
  await collector.waitFor(async () => page.evaluate(() => window.keepalive.length > 0 && window.keepalive.every((e) => e.ok !== null)), { what: 'keepalive answers' })
  const sent = await page.evaluate(() => window.keepalive)
  const most = await page.evaluate(() => window.maxInFlight)
  assert.ok(most <= 64 * 1024, `keepalive bytes in flight at once: ${most}`)
  assert.ok(most > 32 * 1024, `the close path used the budget: ${most} bytes`)
  assert.ok(sent.every((e) => e.ok), `a keepalive fetch failed: ${JSON.stringify(sent)}`)
  const first = await count(collector, 'backlog')
  assert.ok(first > 0 && first < 100, `${first} arrived at close`)
  await page.close()
  const next = await open(ctx, pages, { ...cfg, flushMode: 'immediate' })
  await collector.waitFor(async () => (await count(collector, 'backlog')) === 100, { what: 'the rest on the next visit' })
  const seqs = (await collector.events('event_type=backlog')).map((e) => e.properties.i)
  assert.equal(new Set(seqs).size, 100, 'nothing stored twice')
  await collector.waitFor(async () => (await next.evaluate(() => exponea.getQueueLength())) === 0, { what: 'empty queue' })
})

test('a 30 s outage costs a bounded number of requests, and nothing is lost', {
  long: '40-90 s (the backoff may hold the first try after the outage for a minute), and the bound it checks is the Go flusher\'s, the same in every engine; reliability scenarios 4 and 5 retry through outages in every engine',
}, async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector))
  await collector.waitFor(async () => (await page.evaluate(() => exponea.getQueueLength())) === 0, { what: 'installation and session_start delivered' })
  await collector.fault({ status: 503 }) // until cleared
  const start = Date.now()
  let tracked = 0
  while (Date.now() - start < 30000) { // keep tracking through the outage
    await track(page, 'outage', 5)
    tracked += 5
    await sleep(1000)
  }
  const during = (await batchRequests(page, start)).filter((e) => e.status === 503).length
  await collector.clearFaults()
  // After the outage the backoff may still hold the next try for up to
  // about a minute (2^6 s with full jitter); nothing is dropped meanwhile.
  await collector.waitFor(async () => (await count(collector, 'outage')) === tracked, { timeout: 150000, interval: 500, what: `${tracked} events after the outage` })
  assert.equal((await collector.stats()).events, tracked + 2) // + installation, session_start
  console.log(`# 30 s outage: ${during} requests answered 503 (bound: ≤ 31, one per second at most)`)
  assert.ok(during <= 31, `${during} requests during a 30 s outage`)
  assert.ok(during >= 2, 'the SDK kept retrying')
})
