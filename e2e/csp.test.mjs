// The SDK under a Content-Security-Policy (docs/serving.md). The page
// (pages/csp.html) configures the SDK from a script of its own origin and
// tracks an event at once. The pages server sends the policy with every
// response, as a site-wide policy is sent, or with the page alone.
import assert from 'node:assert/strict'
import { test, env, config, open, RUNS_IN } from './harness.mjs'

// policy is docs/serving.md's minimal policy for a page whose SDK sends to
// collector, with script-src's sources replaced by scriptSrc.
const policy = (collector, scriptSrc = "'self' 'wasm-unsafe-eval'") =>
  `default-src 'self'; script-src ${scriptSrc}; worker-src 'self'; connect-src 'self' ${collector.url}`

// visit opens pages/csp.html (with query, which may add ?csp=) and returns
// how ready and the page's trackEvent settled.
async function visit(ctx, pages, collector, query = '') {
  const page = await ctx.newPage()
  await page.goto(`${pages.url}/csp.html?config=${encodeURIComponent(JSON.stringify(config(collector)))}${query}`)
  const outcome = await page.waitFor(() => window.outcome, undefined, { timeout: 30000, what: 'ready settled' })
  return { page, outcome, tracked: await page.evaluate(() => window.tracked) }
}

const delivered = (collector) => collector.waitFor(async () => {
  const ev = await collector.events('event_type=under_csp')
  return ev.length > 0 && ev
}, { what: 'under_csp at the collector' })

test("under default-src 'self' with docs/serving.md's script-src, worker-src and connect-src on every response, the SDK runs in its Worker and delivers", async (t) => {
  const { pages, collector, browser } = await env(t)
  pages.csp = policy(collector)
  const { page, outcome, tracked } = await visit(await browser.newContext(), pages, collector)
  assert.deepEqual(outcome, { ok: true, runsIn: RUNS_IN })
  assert.equal(tracked, 'stored')
  assert.equal((await delivered(collector)).length, 1)
  assert.deepEqual(await page.console(), [], 'no warning or error (a refused load would say so)')
})

test("without 'wasm-unsafe-eval', ready rejects naming it; the calls stay journaled and a later page sends them", async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  pages.csp = policy(collector, "'self'")
  const { page, outcome, tracked } = await visit(ctx, pages, collector)
  assert.equal(outcome.ok, false)
  // The engine's own words (each words it differently), then the loader's hint.
  assert.match(outcome.message, /^the SDK could not start: cannot load \S+\/dist\/exponea\.wasm: .*(CSP|Content Security Policy).*add 'wasm-unsafe-eval' to script-src\)$/s)
  assert.match(tracked, /stays in the page's journal/)
  assert.deepEqual(await collector.events('event_type=under_csp'), [])
  await page.close()
  // The site fixes its policy: the next page hands the journal over.
  pages.csp = policy(collector)
  await open(ctx, pages, config(collector))
  const ev = await delivered(collector)
  assert.equal(ev.length, 1)
})

// A Worker gets the policy of its own script's response, in every engine
// here: a policy sent with the page alone does not reach the SDK's Worker,
// so the wasm compiles there. (Where the Worker cannot start the SDK runs
// on the page, under the page's policy: so a policy should allow
// 'wasm-unsafe-eval' all the same.)
test("a policy sent with the page alone does not reach the Worker: without 'wasm-unsafe-eval' the SDK runs there", async (t) => {
  const { pages, collector, browser } = await env(t)
  const { outcome, tracked } = await visit(await browser.newContext(), pages, collector, `&csp=${encodeURIComponent(policy(collector, "'self'"))}`)
  assert.deepEqual(outcome, { ok: true, runsIn: RUNS_IN })
  assert.equal(tracked, 'stored')
  assert.equal((await delivered(collector)).length, 1)
})
