// Every page `make demo` serves, opened and clicked as a newcomer would,
// in each engine: the demo, the collector's page, the Bloomreach-style
// example and the Go example. Each fails on any uncaught error, any
// console error and any failed request (the favicon excepted).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { test, contexts } from './harness.mjs'
import { startDemo } from './demo-site.mjs'

let demo
before(async () => { demo = await startDemo() })
after(() => demo?.close())

// visit opens path in a new context's page and, when the test ends, checks
// that nothing failed there.
async function visit(t, path) {
  const since = Date.now()
  const ctx = await (await contexts(t)).newContext()
  const page = await ctx.newPage()
  await page.goto(demo.url + path)
  page.clean = async () => {
    const errors = await page.errors()
    assert.deepEqual(errors, [], `uncaught errors on ${path}`)
    const consoleErrors = (await page.console()).filter((c) => c.type === 'error')
    assert.deepEqual(consoleErrors, [], `console errors on ${path}`)
    assert.deepEqual(demo.failed(since), [], `failed requests since ${path} was opened`)
    const fetches = (await page.requests()).filter((r) => r.error)
    assert.deepEqual(fetches, [], `fetches that failed on ${path}`)
  }
  return page
}

const text = (page, sel) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, sel)
const waitText = (page, sel, re, what, timeout = 15000) =>
  page.waitFor(({ s, re }) => {
    const t = document.querySelector(s)?.textContent ?? ''
    return new RegExp(re).test(t) && t
  }, { s: sel, re: re.source }, { timeout, what })
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test('the demo gets ready, and each button does what it says, as the arrivals show', async (t) => {
  const page = await visit(t, '/')
  await waitText(page, '#status', /^ready/, 'the demo to say ready')
  assert.equal(await text(page, '#host'), 'sharedworker', 'the Go side runs in a SharedWorker (every engine here has one)')
  assert.equal(await text(page, '#storage'), 'indexeddb')
  const cookie = await waitText(page, '#cookie', UUID, 'the cookie')
  const arrived = (sel, re, what) => waitText(page, sel, re, what)

  // Track purchase, as typed into the form.
  await page.evaluate(() => { document.querySelector('#purchase [name=item]').value = 'demo-test beans' })
  await page.click('#purchase button')
  await waitText(page, '#log', /purchase of demo-test beans stored/, 'the purchase stored')
  await arrived('#events', /purchase.*demo-test beans/, 'the purchase in the arrivals')
  const ev = (await demo.collector.events()).filter((e) => e.properties.item_name === 'demo-test beans')
  assert.equal(ev.length, 1, 'the purchase arrived once')
  assert.equal(ev[0].customer_ids.cookie, cookie)
  assert.equal(ev[0].properties.app, 'demo-shop', 'with the default properties')
  // The demo listens for flush reports (on('flush')): the worker posts them.
  await waitText(page, '#log', /delivered [1-9]\d* \(HTTP 200\)/, 'the flush report')

  // Identify customer.
  await page.click('#identify button')
  await waitText(page, '#log', /customer ada@example.com stored/, 'the customer stored')
  await arrived('#customers', /ada@example\.com.*payingCustomer/, 'the customer update in the arrivals')

  // Manual mode: a purchase waits in the queue until Flush now.
  await page.select('#mode', 'manual')
  await waitText(page, '#log', /flush mode is manual/, 'the mode set')
  await page.evaluate(() => { document.querySelector('#purchase [name=item]').value = 'manual beans' })
  await page.click('#purchase button')
  await waitText(page, '#log', /purchase of manual beans stored/, 'the manual purchase stored')
  await waitText(page, '#queue', /^[1-9]/, 'the queue to hold it')
  assert.deepEqual((await demo.collector.events()).filter((e) => e.properties.item_name === 'manual beans'), [], 'manual mode sent nothing before Flush now')
  await page.click('#flush')
  await waitText(page, '#log', /flushData: sent [1-9]\d*, confirmed [1-9]/, 'flushData to say what it delivered')
  await arrived('#events', /purchase.*manual beans/, 'the flushed purchase in the arrivals')
  await waitText(page, '#queue', /^0$/, 'the queue to be empty')

  // Anonymize: a new cookie, and its installation arrives.
  await page.click('#anonymize')
  await waitText(page, '#log', /anonymized/, 'anonymize answered')
  const fresh = await page.waitFor((old) => {
    const c = document.querySelector('#cookie').textContent
    return c !== old && c
  }, cookie, { what: 'a new cookie' })
  assert.match(fresh, UUID)
  await page.click('#flush')
  await demo.collector.waitFor(async () => (await demo.collector.events()).some((e) => e.event_type === 'installation' && e.customer_ids.cookie === fresh),
    { what: "the new customer's installation" })
  await page.clean()
})

test("the collector's page lists what arrived", async (t) => {
  const page = await visit(t, '/collector/')
  await waitText(page, '#events tbody', /purchase/, 'the events table to list the purchases')
  await waitText(page, '#customers tbody', /ada@example\.com/, 'the customers table')
  await page.click('#reload')
  await waitText(page, '#status', /\S/, 'the reload to report')
  await page.clean()
})

test('the Bloomreach-style example tracks its visit, a purchase and a login', async (t) => {
  const page = await visit(t, '/examples/bloomreach/')
  const c = demo.collector
  await c.waitFor(async () => (await c.events()).some((e) => e.event_type === 'page_visit' && e.properties.site === 'example'), { what: 'the page_visit', timeout: 15000 })
  await page.click('#buy')
  await c.waitFor(async () => (await c.events()).some((e) => e.event_type === 'purchase' && e.properties.site === 'example' && e.properties.price === 12.9), { what: 'the purchase' })
  await page.click('#login')
  await c.waitFor(async () => (await c.customers()).some((u) => u.customer_ids.registered === 'user@example.com' && u.properties.first_name === 'Ada'), { what: 'the login' })
  await c.waitFor(async () => (await c.customers()).some((u) => u.customer_ids.registered === 'user@example.com' && u.properties.newsletter === true), { what: 'the update' })
  await page.clean()
})

test('the Go example tracks go_loaded, then go_click for a click', async (t) => {
  const page = await visit(t, '/examples/go/')
  const c = demo.collector
  const count = async (type) => (await c.events()).filter((e) => e.event_type === type).length
  const loaded = await c.waitFor(() => count('go_loaded'), { what: 'go_loaded', timeout: 20000 })
  const clicks = await count('go_click')
  await page.waitFor(() => window.goReady === true, undefined, { what: "the Go program's click listener" })
  await page.click('#buy')
  await c.waitFor(async () => (await count('go_click')) === clicks + 1, { what: 'go_click' })
  assert.equal(await count('go_loaded'), loaded)
  await page.clean()
})

