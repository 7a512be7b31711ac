// The README's snippet pattern, as a site uses it: the inline snippet,
// exponea.js async, and the client that Exponea.configure returned on the
// stub kept for the life of the page. Once the SDK is in, that client is the
// whole client: every method and property of exponea.d.ts (the list is
// js/src/methods.js, which js/test/methods.test.mjs holds the types to),
// the getters answering as the client's do.
import assert from 'node:assert/strict'
import { test, env, config, RUNS_IN } from './harness.mjs'
import { METHODS, PROPERTIES } from '../js/src/methods.js'

test('the snippet\'s client, kept from before the SDK loaded, has every method and property once it is in, and they work', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto(pages.url + '/snippet.html?scriptDelay=manual')
  const cfg = config(collector, { flushMode: 'period', flushPeriod: 60000, defaultProperties: { site: 'snippet' }, trackPageVisits: true })
  const r = await page.evaluate(async ({ cfg, methods, properties }) => {
    const c = window.exponea = Exponea.configure(cfg) // the stub's client: the SDK is not in yet
    const before = { stub: typeof Exponea.q, missing: methods.filter((m) => typeof c[m] !== 'function') }
    const early = c.getFlushMode() // queued: a Promise of the answer
    loadSDK()
    await c.ready
    const out = { before, early: await early, missing: methods.filter((m) => typeof c[m] !== 'function') }
    // Every method, on the client kept from the stub.
    const seen = []
    const fn = (e) => seen.push(e.status)
    const off = c.on('flush', fn)
    out.on = typeof off
    c.off('flush', fn)
    c.on('flush', fn)
    await c.trackEvent({ name: 'kept', properties: { i: 1 } })
    await c.identifyCustomer({ ids: { registered: 'kept@b.c' } })
    await c.trackPageVisit({ section: 'manual' })
    await c.setDefaultProperties({ site: 'snippet', v: 2 })
    out.defaults = c.getDefaultProperties()
    await c.setFlushMode('manual')
    out.mode = c.getFlushMode()
    await c.setFlushPeriod(30000)
    out.period = c.getFlushPeriod()
    out.consent = c.getConsent()
    out.cookie = /^[0-9a-f-]{36}$/.test(await c.getCustomerCookie())
    out.length = await c.getQueueLength()
    out.stats = (await c.getStats()).storage
    out.flushed = (await c.flushData()).confirmed
    out.flushReports = seen.length
    await c.grantConsent()
    await c.revokeConsent()
    out.revoked = c.getConsent()
    await c.grantConsent()
    await c.trackSessionStart()
    await c.trackSessionEnd()
    await c.anonymize()
    out.properties = Object.fromEntries(properties.map((p) => [p, typeof c[p]]))
    out.where = [c.storage, c.runsIn, typeof c.startup.configured]
    return out
  }, { cfg, methods: METHODS, properties: PROPERTIES })
  assert.deepEqual(r.before, { stub: 'object', missing: [] }, 'the stub has every method before the SDK is in')
  assert.equal(r.early, 'period', 'a getter called on the stub answers once the SDK is in')
  assert.deepEqual(r.missing, [], 'and every method after')
  assert.equal(r.on, 'function')
  assert.deepEqual(r.defaults, { site: 'snippet', v: 2 })
  assert.equal(r.mode, 'manual')
  assert.equal(r.period, 30000)
  assert.equal(r.consent, 'granted')
  assert.equal(r.revoked, 'denied')
  assert.equal(r.cookie, true)
  assert.ok(r.length >= 4, `the queue held what was tracked (${r.length})`)
  assert.equal(r.stats, 'indexeddb')
  assert.ok(r.flushed >= 4, `flushData delivered it (${r.flushed})`)
  assert.equal(r.flushReports, 1, 'one flush report: the listener taken off with off() heard nothing')
  assert.deepEqual(r.properties, { ready: 'object', storage: 'string', runsIn: 'string', startup: 'object' })
  assert.deepEqual(r.where, ['indexeddb', RUNS_IN, 'number'])
  const visits = await collector.waitFor(async () => {
    const v = await collector.events('event_type=page_visit')
    return v.length >= 2 && v
  }, { what: 'the visits' })
  const url = pages.url + '/snippet.html?scriptDelay=manual'
  assert.deepEqual(visits.map((v) => [v.properties.location, v.properties.path, v.properties.title, v.properties.referrer, v.properties.site, v.properties.section]), [
    [url, '/snippet.html', 'snippet', '', 'snippet', undefined], // trackPageVisits, at configure
    [url, '/snippet.html', 'snippet', '', 'snippet', 'manual'],
  ])
  assert.ok(visits[0].timestamp <= (await collector.events('event_type=kept'))[0].timestamp, 'the page\'s visit is stamped when configure was called')
})

test('a page that closes before exponea.js arrives keeps its visit: the next page sends it once, with the first page\'s URL', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const cfg = config(collector, { trackPageVisits: true })
  const page = await ctx.newPage()
  await page.goto(pages.url + '/snippet.html?scriptDelay=never&utm_source=news')
  await page.evaluate((cfg) => { Exponea.configure(cfg) }, cfg)
  await page.close()
  const next = await ctx.newPage()
  await next.goto(pages.url + '/snippet.html?second')
  await next.evaluate(async (cfg) => { window.exponea = Exponea.configure(cfg); await exponea.ready }, cfg)
  const visits = await collector.waitFor(async () => {
    const v = await collector.events('event_type=page_visit')
    return v.length >= 2 && v
  }, { what: 'both pages\' visits' })
  assert.deepEqual(visits.map((v) => v.properties.location).sort(), [`${pages.url}/snippet.html?scriptDelay=never&utm_source=news`, `${pages.url}/snippet.html?second`].sort())
  assert.equal(visits.find((v) => v.properties.location.includes('never')).properties.utm_source, 'news')
  await next.waitFor(async () => (await exponea.getQueueLength()) === 0, undefined, { what: 'the queue delivered' })
  assert.equal((await collector.events('event_type=page_visit')).length, 2, 'once each')
})
