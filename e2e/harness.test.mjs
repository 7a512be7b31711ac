// The harness itself, in each engine: what the pages' observer records
// (tests that assert "no request" or a warning rely on it) and the pages
// server's ?delay= and ?prelude=.
import assert from 'node:assert/strict'
import { test, env, open } from './harness.mjs'

test('the observer records the page\'s and a Worker\'s fetches, console warnings and errors, and uncaught errors', async (t) => {
  const { pages, browser } = await env(t)
  const page = await open(await browser.newContext(), pages)
  await page.evaluate(async () => {
    console.warn('page warns', { a: 1 })
    setTimeout(() => { throw new Error('page throws') })
    Promise.reject(new Error('page rejects'))
    await fetch('/index.html')
    await fetch('/missing').catch(() => {})
    const w = new Worker('/echo-worker.js')
    await new Promise((r) => { w.onmessage = r; w.postMessage('go') })
  })
  const seen = await page.waitFor(() => {
    const o = window.__e2e
    return o.errors.length >= 2 && o.requests.filter((r) => r.status !== null).length >= 3 && o
  }, undefined, { what: 'the observer\'s records' })
  const reqs = seen.requests.map((r) => `${r.where} ${r.method} ${new URL(r.url, 'http://x').pathname} ${r.status}`)
  assert.ok(reqs.includes('page GET /index.html 200'), reqs.join('\n'))
  assert.ok(reqs.includes('page GET /missing 404'), reqs.join('\n'))
  assert.ok(reqs.includes('worker GET /index.html 200'), reqs.join('\n'))
  assert.deepEqual(seen.console.map((m) => `${m.where} ${m.type} ${m.text}`).sort(), ['page warning page warns {"a":1}', 'worker error worker errs'])
  const errors = seen.errors.map((e) => `${e.where} ${e.message}`).join('\n')
  assert.match(errors, /page .*page throws/)
  assert.match(errors, /page unhandled rejection: Error: page rejects/)
})

test('the pages server delays a file by ?delay= and adds the preludes named by ?prelude=', async (t) => {
  const { pages, browser } = await env(t)
  const t0 = Date.now()
  const res = await fetch(pages.url + '/dist/exponea.mjs?delay=700')
  assert.equal(res.status, 200)
  assert.ok(Date.now() - t0 >= 700, `answered after ${Date.now() - t0} ms`)
  const page = await open(await browser.newContext(), pages, null, { prelude: ['no-worker', 'undefined-idb'] })
  assert.deepEqual(await page.evaluate(() => [typeof Worker, typeof indexedDB]), ['undefined', 'undefined'])
})
