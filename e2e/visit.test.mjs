// A visit is many pages: one tab walks a site whose every page uses the
// SDK (pages/site.html) — the address bar, a button that tracks then
// navigates, a link, a form, back and forward through the back/forward
// cache, a reload — and on every page the SDK gets ready, nothing tracked is
// lost or stored twice, and a click tracked right before a navigation to
// another page of the site reaches even a backend that does not dedupe once
// (counted by a proxy in front of the collector: receipts.mjs).
import assert from 'node:assert/strict'
import { test, env, config, engine, RUNS_IN } from './harness.mjs'
import { countReceipts } from './receipts.mjs'
import { Walk } from './walk.mjs'

// The engine knows where a navigation goes (the Navigation API: Chromium,
// Firefox); without it (WebKit) the links and forms a visitor follows are
// known, a navigation made by script (the button) is not.
const knowsScriptNavigations = !engine.lacks.navigation

async function visit(t, extra = {}) {
  const { pages, collector, browser } = await env(t)
  const receipts = await countReceipts(collector)
  t.after(() => receipts.close())
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  const walk = new Walk(page, pages.url, { ...config(collector), baseUrl: receipts.url, ...extra }, `w-${Date.now()}`)
  return { collector, receipts, walk }
}

// walkEvents waits until the collector holds n walk events of walk, and
// returns them.
const walkEvents = (collector, walk, n) => collector.waitFor(async () => {
  const ev = (await collector.events('event_type=walk')).filter((e) => e.properties.walk === walk.id)
  return ev.length >= n && ev
}, { what: `${n} walk events`, timeout: 20000 })

test('a walk through seven pages of a site: every page gets ready, every click arrives once, one session', async (t) => {
  const { collector, receipts, walk } = await visit(t)
  // The visitor reads each page before moving on (settle: its queue is
  // delivered): a request a page has on the wire when it goes is lost with
  // it, and sent again by the next page.
  await walk.goto(1)
  await walk.settle()
  await walk.button() // 2: trackEvent, then location.href = next, in one task
  await walk.settle()
  await walk.link() // 3
  await walk.settle()
  await walk.form() // 4
  await walk.settle()
  await walk.goto(5) // the address bar
  await walk.reload() // 5 again, at once
  await walk.settle()
  await walk.link() // 6
  await walk.settle()
  await walk.button() // 7
  for (const p of walk.pages) assert.equal(p.error, null, `page ${p.n} (${p.how}): ${p.error}`)
  for (const p of walk.pages) assert.equal(p.runsIn, RUNS_IN, `page ${p.n} (${p.how}) runs in a ${RUNS_IN}`)

  const events = await walkEvents(collector, walk, walk.clicks)
  assert.deepEqual(events.map((e) => [e.properties.via, e.properties.from]).sort(),
    [['button', 1], ['button', 6], ['form', 3], ['link', 2], ['link', 5]].sort(), 'every click stored once')
  // The last page sends what the one before left: wait for it, then count.
  await collector.waitFor(async () => receipts.commands().filter((c) => c.type === 'walk').length === walk.clicks, { what: 'every click received' })
  const clicks = receipts.commands().filter((c) => c.type === 'walk')
  const byVia = Object.fromEntries(events.map((e) => [e.command_id, e.properties.via]))
  for (const c of clicks) {
    if (knowsScriptNavigations || byVia[c.id] !== 'button') assert.equal(c.times, 1, `the ${byVia[c.id]} click was received ${c.times} times (${c.how})`)
  }
  const types = (await collector.events()).map((e) => e.event_type)
  assert.equal(types.filter((x) => x === 'session_start').length, 1, 'one session for the visit')
  assert.equal(types.filter((x) => x === 'installation').length, 1)
})

test('back and forward: a page restored from the back/forward cache resumes, its session goes on, and nothing is lost or sent twice', async (t) => {
  const { collector, receipts, walk } = await visit(t)
  await walk.goto(1)
  await walk.settle()
  await walk.link() // 2
  await walk.settle()
  await walk.button() // 3
  await walk.settle()
  const back = await walk.back() // 2
  const restored = back.restored
  t.diagnostic(`${engine.name} ${restored ? 'restored' : 'did not restore'} page 2 from the back/forward cache`)
  assert.equal(back.error, null)
  // The restored page's SDK works: its call is stored, and arrives once.
  await walk.track({ via: 'restored', from: 2 })
  await walk.settle()
  const fwd = await walk.forward() // 3
  assert.equal(fwd.error, null)
  await walk.track({ via: 'forward', from: 3 })
  await walk.settle()
  await walk.back()
  await walk.settle()
  await walk.button() // 3 again, a new page: history forward is replaced
  const events = await walkEvents(collector, walk, walk.clicks + 2)
  assert.equal(events.length, walk.clicks + 2, 'each stored once')
  await collector.waitFor(async () => receipts.commands().filter((c) => c.type === 'walk').length === walk.clicks + 2, { what: 'every walk event received' })
  const via = Object.fromEntries(events.map((e) => [e.command_id, `${e.properties.via} from ${e.properties.from}`]))
  for (const c of receipts.commands()) {
    if (c.type === 'walk' && knowsScriptNavigations) assert.equal(c.times, 1, `the walk event ${via[c.id]} was received ${c.times} times`)
  }
  const types = (await collector.events()).map((e) => e.event_type)
  assert.equal(types.filter((x) => x === 'session_start').length, 1, 'the visit is one session, restores included')
  assert.equal(types.filter((x) => x === 'session_end').length, 0)
  // A page restored from the cache is one the engine kept: say which.
  assert.ok(restored, `${engine.name} restores pages from the back/forward cache`)
})

test('a page whose SDK cannot start journals its click and says why; the next page sends it once', async (t) => {
  const { collector, receipts, walk } = await visit(t, { wasmUrl: '/dist/missing.wasm' })
  await walk.goto(1)
  assert.match(walk.pages[0].error, /could not start.*missing\.wasm/, 'ready says why')
  assert.ok(walk.pages[0].reports.some((m) => /could not start/.test(m)), 'and an error report')
  await walk.button() // 2, where the SDK cannot start either
  const good = walk.withConfig({ ...walk.cfg, wasmUrl: undefined })
  await good.goto(3) // a page of the site whose SDK starts
  assert.equal(good.pages.at(-1).error, null)
  const events = await walkEvents(collector, walk, 1)
  assert.equal(events.length, 1)
  await collector.waitFor(async () => receipts.commands().some((c) => c.type === 'walk'), { what: 'the click received' })
  assert.deepEqual(receipts.commands().filter((c) => c.type === 'walk').map((c) => c.times), [1])
})

test('page visits: one page_visit for every page the tab loads, none for a page restored from the back/forward cache, each arriving once', async (t) => {
  // 'spa': a page of a site that is also an app; its route watching must
  // take neither a new page nor a restore for a route change.
  const { collector, receipts, walk } = await visit(t, { trackPageVisits: 'spa' })
  // Page 1 leaves for page 2 in the task that configured the SDK: its
  // visit, journaled then, is sent by page 2.
  await walk.page.goto(`${walk.url(1)}&hop=1`)
  await walk.arrive(2, 'hop')
  await walk.settle()
  await walk.link() // 3
  await walk.settle()
  await walk.button() // 4
  await walk.settle()
  await walk.form() // 5
  await walk.settle()
  const back = await walk.back() // 4, from the cache where the engine keeps it
  await walk.settle()
  await walk.reload() // 4 again: a new view
  await walk.settle()
  for (const p of walk.pages) assert.equal(p.error, null, `page ${p.n} (${p.how}): ${p.error}`)
  t.diagnostic(`${engine.name} ${back.restored ? 'restored' : 'did not restore'} page 4 from the back/forward cache`)

  const loads = [[1, 'hop'], ...walk.pages.filter((p) => !p.restored).map((p) => [p.n, p.how])]
  const visits = await collector.waitFor(async () => {
    const v = await collector.events('event_type=page_visit')
    return v.length >= loads.length && v
  }, { what: `${loads.length} page visits`, timeout: 20000 })
  const n = (v) => Number(new URL(v.properties.location).searchParams.get('n'))
  assert.deepEqual(visits.map(n).sort(), loads.map(([k]) => k).sort(), 'one visit per page loaded')
  for (const v of visits) {
    assert.equal(v.properties.path, '/site.html')
    assert.equal(v.properties.title, 'site')
    assert.equal(typeof v.properties.referrer, 'string')
  }
  // The referrer of a page reached by a link, a button or a form is the
  // page it was reached from.
  const byN = (k) => visits.filter((v) => n(v) === k)
  for (const k of [2, 3, 4, 5]) {
    const from = byN(k - 1)[0].properties.location
    assert.ok(byN(k).some((v) => v.properties.referrer === from), `page ${k}'s referrer is page ${k - 1}: ${JSON.stringify(byN(k).map((v) => v.properties.referrer))}`)
  }
  await collector.waitFor(async () => receipts.commands().filter((c) => c.type === 'page_visit').length === loads.length, { what: 'every visit received' })
  const hop = byN(1)[0].command_id
  for (const c of receipts.commands().filter((c) => c.type === 'page_visit')) {
    // Without the Navigation API (WebKit) a navigation made by script is not
    // known as one: what the leaving page made then is sent from both pages
    // (the collector stores it once).
    const v = visits.find((x) => x.command_id === c.id)
    if (knowsScriptNavigations || c.id !== hop) assert.equal(c.times, 1, `the visit of page ${v ? n(v) : '?'} was received ${c.times} times (${c.how})`)
  }
  assert.equal((await collector.events('event_type=page_visit')).length, loads.length, 'stored once each')
})
