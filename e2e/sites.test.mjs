// What real sites need beyond tracking: a consent gate that every tab and
// a reload follow, debug logs a developer can switch on in production, the
// Bloomreach-style facade, and tracking from a Go program.
import assert from 'node:assert/strict'
import { test, env, config, open, TOKEN, KEY } from './harness.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const types = async (collector, type) => (await collector.events(`event_type=${type}`)).map((e) => e.properties.i)
// posts returns the page's requests to the collector's batch endpoint.
const posts = async (page) => (await page.requests()).filter((r) => r.method === 'POST' && r.url.includes('/batch'))

test('consent: pending keeps calls and sends nothing, across tabs and a reload; granted sends them once', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const cfg = config(collector, { consent: 'pending' })
  const a = await open(ctx, pages, cfg)
  const b = await open(ctx, pages, cfg)
  await a.evaluate(() => Promise.all([0, 1].map((i) => exponea.trackEvent({ name: 'consented', properties: { i } }))))
  await b.evaluate(() => exponea.trackEvent({ name: 'consented', properties: { i: 2 } }))
  await a.reload()
  await a.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    window.exponea = await Exponea.configure(cfg)
    await exponea.trackEvent({ name: 'consented', properties: { i: 3 } })
  }, cfg)
  await sleep(1500)
  assert.equal((await collector.stats()).commands_received, 0, 'nothing reached the collector while pending')
  assert.deepEqual([...await posts(a), ...await posts(b)], [], 'no request at all')
  assert.equal(await a.evaluate(() => exponea.getConsent()), 'pending')
  assert.equal(await a.evaluate(() => exponea.getQueueLength()) >= 4, true, 'the calls are kept')

  await b.evaluate(() => exponea.grantConsent())
  await collector.waitFor(async () => (await types(collector, 'consented')).length >= 4, { what: 'the 4 kept events' })
  assert.deepEqual((await types(collector, 'consented')).sort(), [0, 1, 2, 3], 'each once')
  await a.waitFor(() => exponea.getConsent() === 'granted', undefined, { what: 'tab A following the grant' })
})

test('consent: revoked in one tab deletes the queue, the cookie and the ids in every tab and after a reload; later calls are dropped', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const cfg = config(collector, { consent: 'pending', flushMode: 'manual' })
  const a = await open(ctx, pages, cfg)
  const b = await open(ctx, pages, cfg)
  await a.evaluate(async () => {
    await exponea.identifyCustomer({ ids: { registered: 'gone@b.c' } })
    await exponea.trackEvent({ name: 'revoked', properties: { i: 0 } })
  })
  const cookie = await a.evaluate(() => exponea.getCustomerCookie())
  assert.match(cookie, /^[0-9a-f-]{36}$/)

  await b.evaluate(() => exponea.revokeConsent())
  await a.waitFor(() => exponea.getConsent() === 'denied', undefined, { what: 'tab A following the revocation' })
  const after = await a.evaluate(async () => {
    const drops = []
    const dropped = new Promise((r) => exponea.on('drop', (d) => { drops.push(d.reason); r() }))
    await exponea.trackEvent({ name: 'revoked', properties: { i: 1 } })
    await dropped
    return { cookie: await exponea.getCustomerCookie(), length: await exponea.getQueueLength(), drops }
  })
  assert.deepEqual(after, { cookie: '', length: 0, drops: ['the visitor denied consent'] })

  await a.reload()
  const reloaded = await a.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    window.exponea = await Exponea.configure(cfg) // pending: the stored decision holds
    await exponea.trackEvent({ name: 'revoked', properties: { i: 2 } })
    await exponea.flushData()
    return { consent: exponea.getConsent(), length: await exponea.getQueueLength(), cookie: await exponea.getCustomerCookie() }
  }, cfg)
  assert.deepEqual(reloaded, { consent: 'denied', length: 0, cookie: '' })
  await a.close() // no close path without consent
  await sleep(1000)
  assert.equal((await collector.stats()).commands_received, 0, 'nothing ever reached the collector')

  // Granted later: a new customer, not the old one.
  await b.evaluate(async () => {
    await exponea.grantConsent()
    await exponea.trackEvent({ name: 'regranted' })
    await exponea.flushData()
  })
  const [ev] = await collector.waitFor(async () => {
    const e = await collector.events('event_type=regranted')
    return e.length === 1 && e
  }, { what: 'the event after consent was granted again' })
  assert.notEqual(ev.customer_ids.cookie, cookie, 'a new cookie')
  assert.equal(ev.customer_ids.registered, undefined, 'the old ids are gone')
})

test('debug: localStorage switches on [exponea] logs of calls, stores and answers, on the page and in the Worker; off, there are none', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const quiet = await open(ctx, pages, config(collector))
  await quiet.evaluate(() => exponea.trackEvent({ name: 'quiet' }))
  await collector.waitFor(async () => (await collector.events('event_type=quiet')).length === 1, { what: 'the quiet event' })
  assert.deepEqual((await quiet.console()).filter((m) => m.type === 'log'), [], 'no debug logs when off')
  await quiet.close()

  const page = await open(ctx, pages)
  await page.evaluate(() => localStorage.setItem('exponea:debug', '1'))
  await page.reload()
  await page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    window.exponea = await Exponea.configure(cfg)
    await exponea.trackEvent({ name: 'loud' })
    await exponea.flushData()
  }, config(collector))
  const logs = await page.waitFor(() => {
    const l = window.__e2e.console.filter((m) => m.type === 'log')
    return l.some((m) => /batch answered 200/.test(m.text)) && l.map((m) => `${m.where}: ${m.text}`)
  }, undefined, { what: 'the answer logged' })
  const has = (re, where) => logs.some((l) => l.startsWith(where) && re.test(l))
  assert.ok(has(/\[exponea\] trackEvent \{"name":"loud"\}/, 'page'), `the call, on the page: ${logs.join('\n')}`)
  assert.ok(has(/\[exponea\] stored 1 records of 1 calls in \d+ ms/, 'worker'), `the store, in the Worker: ${logs.join('\n')}`)
  assert.ok(has(/\[exponea\] batch answered 200: \d+ confirmed/, 'worker'), `the answer, in the Worker: ${logs.join('\n')}`)
})

test('the Bloomreach-style facade: start, track, identify, update and anonymize with their callbacks', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const q = new URLSearchParams({ target: collector.url, token: TOKEN, authorization: `Token ${KEY}` })
  const page = await ctx.newPage()
  await page.goto(`${pages.url}/examples/bloomreach/?${q}`) // the example page: start with track.visits
  const r = await page.evaluate(() => new Promise((resolve) => {
    const out = {}
    exponea.track('purchase', { price: 12.9 }, () => {
      out.track = 'ok'
      exponea.identify('ada@example.com', { first_name: 'Ada' }, () => {
        out.identify = 'ok'
        exponea.update({ newsletter: true }, () => {
          out.update = 'ok'
          exponea.track('', {}, () => resolve({ ...out, bad: 'succeeded' }), (e) => resolve({ ...out, bad: `${e.name}: ${e.message}` }))
        }, (e) => resolve({ ...out, update: e.message }))
      }, (e) => resolve({ ...out, identify: e.message }))
    }, (e) => resolve({ track: e.message }))
  }))
  assert.deepEqual(r, { track: 'ok', identify: 'ok', update: 'ok', bad: 'TypeError: trackEvent: name must be a non-empty string' })
  const [visit] = await collector.waitFor(async () => {
    const e = await collector.events('event_type=page_visit')
    return e.length === 1 && e
  }, { what: 'page_visit, tracked by track.visits' })
  assert.equal(visit.properties.site, 'example', 'track.default_properties became default properties')
  assert.equal(visit.properties.path, '/examples/bloomreach/')
  assert.equal(visit.properties.location, `${pages.url}/examples/bloomreach/?${q}`)
  assert.equal(visit.properties.title, 'Bloomreach-style calls')
  assert.equal(visit.properties.referrer, '')
  const [buy] = await collector.waitFor(async () => {
    const e = await collector.events('event_type=purchase')
    return e.length === 1 && e
  }, { what: 'the purchase' })
  assert.equal(buy.properties.price, 12.9)
  const customers = await collector.waitFor(async () => {
    const c = await collector.customers()
    return c.length >= 2 && c
  }, { what: 'identify and update' })
  assert.ok(customers.some((c) => c.customer_ids.registered === 'ada@example.com' && c.properties.first_name === 'Ada'), 'identify with a string id is registered')
  assert.ok(customers.some((c) => c.properties.newsletter === true), 'update')

  const cookie = buy.customer_ids.cookie
  await page.evaluate(() => exponea.anonymize())
  await page.evaluate(() => new Promise((resolve, reject) => exponea.track('after_anonymize', {}, resolve, reject)))
  const [after] = await collector.waitFor(async () => {
    const e = await collector.events('event_type=after_anonymize')
    return e.length === 1 && e
  }, { what: 'the event after anonymize' })
  assert.notEqual(after.customer_ids.cookie, cookie, 'anonymize made a new customer')

  // visits with spa_reloading on (Bloomreach's default): a visit for every
  // URL change, fragments included, with the previous URL as referrer; none
  // for a replaceState that keeps the URL.
  await page.evaluate(() => {
    history.pushState({}, '', '/examples/bloomreach/cart')
    location.hash = '#promo'
    history.replaceState({ again: true }, '', location.href)
  })
  await page.waitFor(() => location.hash === '#promo', undefined, { what: 'the fragment' })
  await page.evaluate(() => history.pushState({}, '', '/examples/bloomreach/done'))
  const routes = await collector.waitFor(async () => {
    const e = await collector.events('event_type=page_visit')
    return e.some((v) => v.properties.path === '/examples/bloomreach/done') && e
  }, { what: 'the route changes\' visits' })
  const cart = `${pages.url}/examples/bloomreach/cart`
  assert.deepEqual(routes.map((v) => [v.properties.location, v.properties.referrer]), [
    [visit.properties.location, ''],
    [cart, visit.properties.location],
    [`${cart}#promo`, cart],
    [`${pages.url}/examples/bloomreach/done`, `${cart}#promo`],
  ], 'one visit per route, none for the replaceState that kept the URL')
  assert.deepEqual((await page.console()).filter((m) => /ignored/.test(m.text)), [], 'the example uses no option the drop-in ignores')
})

test('the Bloomreach-style facade names the start options it ignores, once', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto(`${pages.url}/`)
  await page.evaluate(async (cfg) => {
    await new Promise((resolve, reject) => {
      const s = document.createElement('script')
      s.src = '/dist/exponea.bloomreach.js'
      s.onload = resolve
      s.onerror = reject
      document.head.appendChild(s)
    })
    const opts = { target: cfg.baseUrl, token: cfg.projectToken, authorization: cfg.authorization, ping: { enabled: true }, track: { visits: false, google_analytics: false } }
    await exponea.start(opts)
    exponea.start(opts) // the same configuration again: the same client, no second warning
  }, config(collector))
  const warnings = (await page.console()).filter((m) => m.type === 'warning' && /exponea\.start: ignored/.test(m.text)).map((m) => m.text)
  assert.deepEqual(warnings, ['[exponea] exponea.start: ignored, not supported by this SDK: ping, track.google_analytics (see the README, "Coming from Bloomreach\'s web snippet")'])
})

test('a Go program compiled to wasm tracks through package exponea (web/examples/go)', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const q = new URLSearchParams({ baseUrl: collector.url, token: TOKEN, authorization: `Token ${KEY}` })
  const page = await ctx.newPage()
  await page.goto(`${pages.url}/examples/go/?${q}`)
  await page.waitFor(() => window.goReady === true, undefined, { timeout: 30000, what: 'the Go program configured' })
  await page.evaluate(() => { document.getElementById('buy').click(); document.getElementById('buy').click() })
  const clicks = await collector.waitFor(async () => {
    const e = await collector.events('event_type=go_click')
    return e.length === 2 && e
  }, { timeout: 20000, what: 'two go_click events' })
  const [loaded] = await collector.events('event_type=go_loaded')
  assert.ok(loaded, 'go_loaded arrived')
  assert.equal(loaded.properties.app, 'go-example', 'default properties')
  assert.equal(loaded.properties.path, '/examples/go/')
  assert.deepEqual(clicks.map((e) => e.properties.items), [['coffee', 2], ['coffee', 2]])
  assert.equal(clicks[0].customer_ids.cookie, loaded.customer_ids.cookie, 'one customer')
  assert.deepEqual((await page.console()).filter((m) => m.type === 'error'), [], 'no errors')
  // The Go program and the JavaScript SDK share the origin's queue and
  // customer.
  const js = await open(ctx, pages, config(collector))
  assert.equal(await js.evaluate(() => exponea.getCustomerCookie()), loaded.customer_ids.cookie)
})
