// The npm package in real apps: web/examples/vite and web/examples/webpack,
// each with npm pack's tarball installed and built by its bundler with no
// setting for the SDK (make examples-npm, once per run, before the
// suites). Each built app is served as its users would serve it, and a
// visitor clicks through it; the events arrive at the collector, from the
// SDK running in the Worker the bundler emitted, on the wasm it emitted.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test, env, Collector, bounded, engine, TOKEN, KEY } from './harness.mjs'

const example = (name) => fileURLToPath(new URL(`../web/examples/${name}/`, import.meta.url))

// vite runs the Vite of web/examples/vite with args (`preview` serves the
// built app; none starts the dev server) on a free loopback port, until the
// test ends; it returns the server's URL.
async function vite(t, ...args) {
  const proc = spawn(process.execPath, ['node_modules/vite/bin/vite.js', ...args, '--host', '127.0.0.1', '--port', '0', '--strictPort'], {
    cwd: example('vite'), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  })
  t.after(async () => {
    if (proc.exitCode !== null) return
    const exited = new Promise((r) => proc.once('exit', r))
    proc.kill('SIGTERM')
    await bounded(exited, 5000)
  })
  let out = ''
  proc.stderr.on('data', (d) => { out += d })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite ${args.join(' ')} did not start: ${out}`)), 15000)
    proc.stdout.on('data', (d) => {
      out += d
      const m = out.match(/Local:\s+(http:\/\/127\.0\.0\.1:\d+)/)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    })
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vite ${args.join(' ')} exited ${code}: ${out}`)) })
  })
}

// staticSite serves dir with the collector's -static (what docs/serving.md
// describes), on an origin of its own.
async function staticSite(t, dir) {
  const site = await new Collector({ faults: false, extra: ['-static', `/=${dir}`] }).start()
  t.after(() => site.close())
  return site.url
}

// shop opens the app at appUrl, pointed at a collector that allows its
// origin, clicks through it (view an item, buy it, sign in) and checks
// what the collector received.
async function shop(t, appUrl, app) {
  const { collector, browser } = await env(t, { origin: appUrl })
  const page = await (await browser.newContext()).newPage()
  await page.goto(`${appUrl}/?${new URLSearchParams({ collector: collector.url, token: TOKEN, key: KEY })}`)
  const status = await page.waitFor(() => {
    const s = document.getElementById('status').textContent
    return /^(ready|failed)/.test(s) && s
  }, undefined, { timeout: 30000, what: 'the SDK ready' })
  assert.match(status, /^ready \(sharedworker, indexeddb\), version \d+\.\d+\.\d+/, 'the app runs the SDK in a SharedWorker, on IndexedDB')
  await page.evaluate(() => {
    document.getElementById('view').click()
    document.getElementById('buy').click()
    document.querySelector('#login button').click()
  })
  await page.waitFor(() => document.getElementById('tracked').textContent === '2', undefined, { what: 'two events stored' })
  const events = await collector.waitFor(async () => {
    const ev = await collector.events()
    return ['view_item', 'purchase'].every((n) => ev.some((e) => e.event_type === n)) && ev
  }, { timeout: 15000, what: 'view_item and purchase at the collector' })
  const purchase = events.filter((e) => e.event_type === 'purchase')
  assert.equal(purchase.length, 1)
  assert.deepEqual(purchase[0].properties, { app, item_id: 'sku-1', price: 123.45 })
  const customers = await collector.waitFor(async () => {
    const c = await collector.customers()
    return c.length > 0 && c
  }, { what: 'the sign-in at the collector' })
  assert.deepEqual(customers.map((c) => c.customer_ids.registered), ['ann@example.com'])
  assert.equal(customers[0].customer_ids.cookie, purchase[0].customer_ids.cookie)
}

test('Vite: the built app (vite build, served by vite preview) delivers its events', async (t) => {
  await shop(t, await vite(t, 'preview'), 'vite-example')
})

test('webpack: the built app (webpack 5, served by the collector\'s -static) delivers its events', async (t) => {
  await shop(t, await staticSite(t, example('webpack') + 'dist'), 'webpack-example')
})

// A single-page app (the Vite example's routes): with trackPageVisits: 'spa'
// the page's visit, then one per route the app moves to — pushState, back
// (popstate) — each with the route's title and the previous route as its
// referrer; a replaceState that keeps the URL is no new route.
test('Vite: a single-page app tracks one page_visit per route: pushState, back, and none for replaceState on the same URL', async (t) => {
  const appUrl = await vite(t, 'preview')
  const { collector, browser } = await env(t, { origin: appUrl })
  const page = await (await browser.newContext()).newPage()
  const search = `?${new URLSearchParams({ collector: collector.url, token: TOKEN, key: KEY })}`
  await page.goto(`${appUrl}/${search}`)
  await page.waitFor(() => /^ready/.test(document.getElementById('status').textContent), undefined, { timeout: 30000, what: 'the SDK ready' })
  t.diagnostic(`${engine.name}: routes seen through ${await page.evaluate(() => (window.navigation ? 'the Navigation API' : 'history methods and popstate'))}`)
  const at = (path) => page.waitFor((p) => document.getElementById('route').textContent === p, path, { what: `the route ${path}` })
  await page.click('#to-item')
  await at('/item')
  await page.click('#to-cart')
  await at('/cart')
  await page.back()
  await at('/item')
  await page.click('#refresh') // replaceState, the same URL
  await page.waitFor(() => history.state && history.state.refreshed, undefined, { what: 'the entry rewritten' })
  await page.click('#to-cart') // after the refresh: its visit comes after any the refresh made
  await at('/cart')
  const visits = await collector.waitFor(async () => {
    const v = await collector.events('event_type=page_visit')
    return v.length >= 5 && v
  }, { timeout: 15000, what: 'five page visits' })
  const url = (path) => `${appUrl}${path}${search}`
  assert.deepEqual(visits.map((v) => [v.properties.location, v.properties.path, v.properties.title, v.properties.referrer, v.properties.app]), [
    [url('/'), '/', 'exponea-wasm in a Vite app', '', 'vite-example'],
    [url('/item'), '/item', 'Shop /item', url('/'), 'vite-example'],
    [url('/cart'), '/cart', 'Shop /cart', url('/item'), 'vite-example'],
    [url('/item'), '/item', 'Shop /item', url('/cart'), 'vite-example'], // back
    [url('/cart'), '/cart', 'Shop /cart', url('/item'), 'vite-example'], // none for the refresh before it
  ])
  await page.waitFor(async () => (await exponea.getQueueLength()) === 0, undefined, { what: 'the queue delivered' })
  assert.equal((await collector.events('event_type=page_visit')).length, 5, 'once each')
})

// The dev server pre-bundles dependencies into node_modules/.vite/deps,
// away from the package's wasm and worker; Vite 8 rewrites the package's
// `new URL('./exponea.wasm', import.meta.url)` to the file in the package,
// so no optimizeDeps.exclude is needed.
test('Vite: the dev server serves the package as it is (no optimizeDeps setting)', async (t) => {
  await shop(t, await vite(t), 'vite-example')
})
