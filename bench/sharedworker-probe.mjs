// SharedWorker probe (issue 23): measured facts about SharedWorker in the
// three engines of the e2e suite, driven through e2e/engines. It measures;
// it does not touch the SDK. Run from the repository root:
//
//   ENGINES=chromium,firefox,webkit node bench/sharedworker-probe.mjs
//
// Env: ENGINES (default all three), REPS (default 3), PROBES (a subset of
// caps,nav,bfcache,close,creator,names,cost; default all), OUT (default
// bench/results/sharedworker-probe.json). It prints a table per engine and
// writes every raw figure to OUT. Everything is on 127.0.0.1, bounded in
// time, one engine and one page flow at a time.
//
// The pages and workers are served by a server of its own (below), with
// Cache-Control: no-cache (not no-store, which keeps a page out of the
// back/forward cache). Each trial gets a fresh tag in the worker's URL, so
// trials never share a worker. The SharedWorker script (/sw.js) makes a
// random id when it starts, counts its connections, answers every
// connection with {id, conns} and fetches /ping?tag&id&n every 200 ms; the
// server timestamps the pings, so how long a worker ran after its page left
// is read from the server's clock. Pages send a beacon at pagehide.
import { createServer } from 'node:http'
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { load } from '../e2e/engines/index.mjs'

const ENGINES = (process.env.ENGINES || 'chromium,firefox,webkit').split(',').filter(Boolean)
const REPS = Number(process.env.REPS) || 3
const PROBES = (process.env.PROBES || 'caps,nav,bfcache,close,creator,names,cost').split(',')
const OUT = process.env.OUT || fileURLToPath(new URL('results/sharedworker-probe.json', import.meta.url))
const PING_MS = 200
const QUIET_MS = 2500 // a worker that has not pinged for this long is taken as stopped
const WATCH_MAX_MS = Number(process.env.WATCH_MAX_MS) || 150000 // the longest a worker is watched after its page left
const BG_MAX = 4 // watches running at once (each in a profile of its own)

// ---------------------------------------------------------------- server

// A wasm module exporting add(i32, i32) → i32.
const WASM = Buffer.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11])

// caps runs in a worker (shared or dedicated): what the SDK's host needs.
const CAPS = `
async function caps() {
  const r = {}
  const step = async (k, f) => {
    try { r[k] = await Promise.race([f(), new Promise((_, no) => setTimeout(() => no(new Error('timeout 3s')), 3000))]) }
    catch (e) { r[k] = 'ERR ' + (e && e.name ? e.name + ': ' : '') + (e && e.message || e) }
  }
  await step('indexedDB', () => new Promise((ok, no) => {
    const q = indexedDB.open('probe-' + id, 1)
    q.onupgradeneeded = () => q.result.createObjectStore('s')
    q.onerror = () => no(q.error)
    q.onsuccess = () => {
      const db = q.result
      const tx = db.transaction('s', 'readwrite')
      tx.objectStore('s').put(42, 'k')
      tx.oncomplete = () => {
        const g = db.transaction('s').objectStore('s').get('k')
        g.onsuccess = () => { db.close(); indexedDB.deleteDatabase('probe-' + id); ok(g.result === 42 ? 'ok' : 'read ' + g.result) }
        g.onerror = () => no(g.error)
      }
      tx.onerror = () => no(tx.error)
    }
  }))
  await step('fetch', async () => { const res = await fetch('/ping?tag=caps&id=' + id + '&n=-1', { cache: 'no-store' }); return res.ok ? 'ok' : 'HTTP ' + res.status })
  await step('locks', async () => {
    if (!self.navigator.locks) return 'missing'
    return await navigator.locks.request('probe-' + id, async (l) => (l ? 'ok' : 'no lock'))
  })
  await step('BroadcastChannel', () => new Promise((ok) => {
    if (typeof BroadcastChannel === 'undefined') return ok('missing')
    const a = new BroadcastChannel('probe-' + id), b = new BroadcastChannel('probe-' + id)
    b.onmessage = (e) => { a.close(); b.close(); ok(e.data === 'x' ? 'ok' : 'got ' + e.data) }
    a.postMessage('x')
  }))
  await step('wasmInstantiate', async () => {
    const { instance } = await WebAssembly.instantiate(new Uint8Array([${[...WASM].join(',')}]))
    return instance.exports.add(2, 3) === 5 ? 'ok' : 'wrong'
  })
  await step('wasmCompileStreaming', async () => {
    if (!WebAssembly.compileStreaming) return 'missing'
    const m = await WebAssembly.compileStreaming(fetch('/t.wasm'))
    const i = await WebAssembly.instantiate(m)
    return i.exports.add(2, 3) === 5 ? 'ok' : 'wrong'
  })
  r.importScripts = typeof importScripts
  r.onLine = self.navigator.onLine
  return r
}
`

const SW = `
const tag = new URL(location.href).searchParams.get('tag')
// What the worker holds for the trial (?hold=idb|lock|bc|fetch): an open
// IndexedDB connection, a Web Lock, a BroadcastChannel, a fetch that never ends.
const hold = new URL(location.href).searchParams.get('hold')
if (hold === 'idb') { const r = indexedDB.open('probe-' + tag); r.onsuccess = () => { self.db = r.result } }
if (hold === 'lock') navigator.locks.request('probe-' + tag, () => new Promise(() => {}))
if (hold === 'lockonce') navigator.locks.request('probe-' + tag, async () => {})
if (hold === 'lockoften') setInterval(() => navigator.locks.request('probe-' + tag, () => new Promise((r) => setTimeout(r, 100))), 200)
if (hold === 'bc') self.bc = new BroadcastChannel('probe-' + tag)
if (hold === 'fetch') fetch('/hang?tag=' + tag).catch(() => {})
const id = Math.random().toString(36).slice(2, 10)
const started = Date.now()
let conns = 0, n = 0
setInterval(() => { n++; fetch('/ping?tag=' + tag + '&id=' + id + '&n=' + n + '&conns=' + conns, { cache: 'no-store' }).catch(() => {}) }, ${PING_MS})
${CAPS}
function answer(port, d) {
  if (d === 'whoami') port.postMessage({ type: 'whoami', id, conns, started })
  else if (d === 'caps') caps().then((r) => port.postMessage({ type: 'caps', id, caps: r }))
  else if (d === 'close') self.close()
  else if (d && d.module) port.postMessage({ type: 'module', ok: d.module instanceof WebAssembly.Module })
}
onconnect = (e) => {
  const port = e.ports[0]
  conns++
  port.onmessage = (m) => answer(port, m.data)
  port.onmessageerror = () => port.postMessage({ type: 'messageerror' })
  port.postMessage({ type: 'hello', id, conns, started, name: self.name })
}
`

const DW = `
const tag = new URL(location.href).searchParams.get('tag')
const id = Math.random().toString(36).slice(2, 10)
let n = 0
setInterval(() => { n++; fetch('/ping?tag=' + tag + '&id=' + id + '&n=' + n, { cache: 'no-store' }).catch(() => {}) }, ${PING_MS})
${CAPS}
onmessage = (m) => {
  const d = m.data
  if (d === 'whoami') postMessage({ type: 'whoami', id })
  else if (d === 'caps') caps().then((r) => postMessage({ type: 'caps', id, caps: r }))
  else if (d && d.module) postMessage({ type: 'module', ok: d.module instanceof WebAssembly.Module })
}
onmessageerror = () => postMessage({ type: 'messageerror' })
postMessage({ type: 'hello', id })
`

// The page. Query: tag (the trial), sw=name (connect to /sw.js?tag as name),
// el=1|0 (pass extendedLifetime true|false; absent: not passed), dw=1 (a
// dedicated Worker /dw.js?tag), closeport=1 (port.close() at pagehide).
// window.P records the page's life; window.probe has the in-page helpers.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>probe</title><script>
const q = new URLSearchParams(location.search)
const tag = q.get('tag') || 'none'
const P = window.P = { load: Math.random().toString(36).slice(2, 10), shows: [], msgs: [], errors: [], hello: null, t0: performance.now() }
const beacon = (type, extra = '') => navigator.sendBeacon('/ev?tag=' + tag + '&type=' + type + '&load=' + P.load + extra)
addEventListener('pageshow', (e) => { P.shows.push({ persisted: e.persisted, at: Date.now() }); beacon('pageshow', '&persisted=' + e.persisted) })
addEventListener('pagehide', (e) => {
  beacon('pagehide', '&persisted=' + e.persisted)
  if (q.get('closeport') === '1' && P.sw) P.sw.port.close()
})
const opts = (name, el) => (el === undefined || el === null ? { name } : { name, extendedLifetime: el })
const elq = q.get('el') === '1' ? true : q.get('el') === '0' ? false : undefined
// connect: a SharedWorker connection; resolves with its hello, or an error.
function connect(url, o, t = 5000) {
  return new Promise((ok) => {
    const t0 = performance.now()
    let sw
    try { sw = new SharedWorker(url, o) } catch (e) { return ok({ threw: e.name + ': ' + e.message }) }
    const timer = setTimeout(() => ok({ sw, timeout: true }), t)
    sw.onerror = (e) => { clearTimeout(timer); ok({ sw, error: 'error event' + (e && e.message ? ': ' + e.message : '') }) }
    sw.port.onmessage = (m) => { if (m.data.type === 'hello') { clearTimeout(timer); ok({ sw, hello: m.data, ms: performance.now() - t0 }) } }
  })
}
// ask posts d on port and resolves with the next answer, or null after t ms.
function ask(port, d, t = 3000) {
  return new Promise((ok) => {
    const timer = setTimeout(() => ok(null), t)
    const prev = port.onmessage
    port.onmessage = (m) => { if (m.data.type !== 'hello') { clearTimeout(timer); port.onmessage = prev; ok(m.data) } }
    try { port.postMessage(d) } catch (e) { clearTimeout(timer); ok({ type: 'threw', e: String(e) }) }
  })
}
window.probe = { connect, ask, opts }
if (q.get('sw')) {
  P.swPending = true
  connect('/sw.js?tag=' + tag + (q.get('hold') ? '&hold=' + q.get('hold') : ''), opts(q.get('sw'), elq)).then((r) => {
    P.swPending = false
    P.sw = r.sw
    P.hello = r.hello || null
    P.swError = r.threw || r.error || (r.timeout ? 'timeout' : null)
    P.helloMs = r.ms
    if (r.sw) {
      r.sw.addEventListener('error', () => P.errors.push({ at: Date.now(), what: 'error event' }))
      r.sw.port.addEventListener('message', (m) => P.msgs.push(m.data))
    }
  })
}
if (q.get('dw') === '1') {
  P.dw = new Worker('/dw.js?tag=' + tag)
  P.dw.onmessage = (m) => { if (m.data.type === 'hello') P.hello = m.data }
}
</script></head><body><p>probe page <span id="load"></span></p><button id="close" onclick="window.close()">close</button>
<button id="open" onclick="window.pop = window.open(window.popUrl)">open</button><button id="closepop" onclick="window.pop.close()">close popup</button>
<script>document.getElementById('load').textContent = P.load</script></body></html>`

function startServer() {
  const pings = new Map() // tag → [{id, n, at}]
  const events = new Map() // tag → [{type, load, persisted, at}]
  const push = (m, k, v) => { if (!m.has(k)) m.set(k, []); m.get(k).push(v) }
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x')
    const at = Date.now()
    const q = Object.fromEntries(u.searchParams)
    const send = (type, body) => { res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }); res.end(body) }
    if (u.pathname === '/ping') { push(pings, q.tag, { id: q.id, n: Number(q.n), conns: Number(q.conns), at }); return send('text/plain', 'ok') }
    if (u.pathname === '/ev') { push(events, q.tag, { ...q, at }); req.resume(); return send('text/plain', 'ok') }
    if (u.pathname === '/sw.js') return send('text/javascript', SW)
    if (u.pathname === '/dw.js') return send('text/javascript', DW)
    if (u.pathname === '/t.wasm') return send('application/wasm', WASM)
    if (u.pathname === '/hang') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.write('x'); setTimeout(() => res.end(), 20000); return }
    if (u.pathname === '/p.html') return send('text/html', PAGE)
    res.writeHead(404).end()
  })
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({
    url: `http://127.0.0.1:${server.address().port}`,
    pings: (tag) => pings.get(tag) || [],
    events: (tag) => events.get(tag) || [],
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok) }),
  })))
}

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
let seq = 0
const newTag = (what) => `${what}-${Date.now().toString(36)}-${++seq}`
const median = (a) => { const s = a.filter((x) => typeof x === 'number').sort((x, y) => x - y); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null }
const spread = (a) => { const s = a.filter((x) => typeof x === 'number'); return s.length ? `${Math.round(median(s))} (${Math.round(Math.min(...s))}–${Math.round(Math.max(...s))})` : 'n/a' }

// timeout rejects p after ms.
function within(p, ms, what) {
  let t
  return Promise.race([p, new Promise((_, no) => { t = setTimeout(() => no(new Error(`timeout ${ms} ms: ${what}`)), ms) })]).finally(() => clearTimeout(t))
}

// ready waits for the page's worker hello (or failure), returns window.P's summary.
function ready(page, timeout = 10000) {
  return page.waitFor(() => window.P && !window.P.swPending && (window.P.hello || window.P.swError || !new URLSearchParams(location.search).get('sw') && !new URLSearchParams(location.search).get('dw')) && {
    load: P.load, hello: P.hello, swError: P.swError || null, shows: P.shows, helloMs: P.helloMs,
  }, undefined, { timeout, navigating: true, what: 'probe page ready' })
}

// leave navigates the page by script (as a link does) to url and waits for
// the new document's P.
async function leave(page, url, fromLoad) {
  await page.evaluate((u) => { setTimeout(() => { location.href = u }, 0) }, url)
  return page.waitFor((old) => window.P && P.load !== old && location.href.includes('p.html') && { load: P.load }, fromLoad, { timeout: 15000, navigating: true, what: 'next page' })
}

// watch follows a worker's pings from `since` on: until it has not pinged
// for QUIET_MS, or max ms. It returns the pings of id after since and the
// ids seen.
async function watch(srv, tag, id, since, max = WATCH_MAX_MS) {
  const end = since + max
  for (;;) {
    await sleep(250)
    const mine = srv.pings(tag).filter((p) => p.id === id)
    const last = mine.length ? mine[mine.length - 1].at : since
    if (Date.now() - Math.max(last, since) > QUIET_MS || Date.now() > end) break
  }
  const all = srv.pings(tag)
  const after = all.filter((p) => p.id === id && p.at > since)
  return {
    pingsAfter: after.length,
    ranMs: after.length ? after[after.length - 1].at - since : 0,
    capped: Date.now() > end,
    ids: [...new Set(all.map((p) => p.id))],
  }
}

// Long watches run in the background, at most BG_MAX at once, each trial in
// a profile (context) of its own that stays open until its watch ends, so
// a worker watched is never kept alive, or ended, by another trial's pages.
const active = new Set()
async function bg(p) {
  const q = p.catch((e) => console.log('  background: ' + e.message)).finally(() => active.delete(q))
  active.add(q)
  while (active.size >= BG_MAX) await Promise.race(active)
}
const drain = () => Promise.all(active)

function pagehideAt(srv, tag, load) {
  const e = srv.events(tag).find((x) => x.type === 'pagehide' && x.load === load)
  return e ? e.at : null
}

// ---------------------------------------------------------------- probes

// 1. What the page and a SharedWorker offer.
async function probeCaps(ctx, srv, eng) {
  const out = []
  for (let r = 0; r < REPS; r++) {
    const page = await ctx.newPage()
    try {
      const tag = newTag('caps')
      await page.goto(`${srv.url}/p.html?tag=${tag}`)
      const res = await page.evaluate(async (tag) => {
        const o = { typeofSharedWorker: typeof SharedWorker, typeofWorker: typeof Worker }
        // Does the constructor read extendedLifetime (a known dictionary member is read)?
        let read = false
        const opts = { name: 'caps-el' }
        Object.defineProperty(opts, 'extendedLifetime', { get() { read = true; return true }, enumerable: true })
        const a = await probe.connect('/sw.js?tag=' + tag, opts)
        o.elRead = read
        o.elAccepted = !a.threw
        o.elThrew = a.threw || null
        o.elHello = !!a.hello
        o.elError = a.error || (a.timeout ? 'timeout' : null)
        const b = await probe.connect('/sw.js?tag=' + tag, { name: 'caps' })
        o.hello = !!b.hello
        o.swError = b.threw || b.error || (b.timeout ? 'timeout' : null)
        if (b.hello) o.sw = (await probe.ask(b.sw.port, 'caps', 20000))?.caps || 'no answer'
        // A compiled WebAssembly.Module posted to the SharedWorker (the SDK posts one to its Worker).
        const bytes = await (await fetch('/t.wasm')).arrayBuffer()
        const mod = await WebAssembly.compile(bytes)
        if (b.hello) o.moduleToShared = await probe.ask(b.sw.port, { module: mod }, 3000) || 'no answer'
        const dw = new Worker('/dw.js?tag=' + tag)
        const dwAsk = (d, t) => new Promise((ok) => { const tm = setTimeout(() => ok(null), t); dw.onmessage = (m) => { if (m.data.type !== 'hello') { clearTimeout(tm); ok(m.data) } }; try { dw.postMessage(d) } catch (e) { clearTimeout(tm); ok({ threw: String(e) }) } })
        o.dw = (await dwAsk('caps', 20000))?.caps || 'no answer'
        o.moduleToDedicated = await dwAsk({ module: mod }, 3000) || 'no answer'
        dw.terminate()
        b.sw && b.sw.port.postMessage('close')
        a.sw && a.sw.port.postMessage('close')
        return o
      }, tag)
      out.push(res)
    } catch (e) {
      out.push({ error: e.message })
    } finally {
      await page.close().catch(() => {})
    }
  }
  return out
}

// 2. A worker's only page navigates to a same-origin page without it (a)
// or with it (b).
async function probeNav(ctx, srv, eng, browser) {
  const out = []
  for (const el of [undefined, true]) {
    for (const target of ['a', 'b']) {
      for (let r = 0; r < REPS; r++) {
        const tag = newTag(`nav-${target}`)
        const elq = el === undefined ? '' : `&el=${el ? 1 : 0}`
        const from = `${srv.url}/p.html?tag=${tag}&sw=w${elq}`
        const to = target === 'a' ? `${srv.url}/p.html?tag=${tag}&to=1` : `${srv.url}/p.html?tag=${tag}&sw=w${elq}&to=1`
        const own = await within(browser.newContext(), 60000, 'context')
        const page = await own.newPage()
        const row = { el: el ?? null, target, rep: r }
        out.push(row)
        let watching = null
        try {
          await page.goto(from)
          const a = await ready(page)
          if (!a.hello) throw new Error('no hello: ' + a.swError)
          row.id = a.hello.id
          await sleep(1000) // pings running
          const t = Date.now()
          await leave(page, to, a.load)
          const b = await ready(page)
          row.pagehideBeacon = pagehideAt(srv, tag, a.load) !== null
          const since = pagehideAt(srv, tag, a.load) ?? t
          if (target === 'b') {
            row.newId = b.hello?.id ?? null
            row.sameInstance = row.newId === row.id
            row.connsSeen = b.hello?.conns ?? null
            row.helloMs = b.helloMs
            row.newError = b.swError
            await sleep(2000)
            const mine = srv.pings(tag).filter((p) => p.id === row.id)
            const before = mine.filter((p) => p.at <= since).pop()
            const next = mine.find((p) => p.at > since)
            row.oldPingsAfter = mine.filter((p) => p.at > since).length
            row.oldGapMs = before && next ? next.at - before.at : null
            row.oldLastAfterMs = mine.length ? mine[mine.length - 1].at - since : null
          } else {
            // The tab stays open on the page without the worker while it is watched.
            watching = watch(srv, tag, row.id, since).then((w) => Object.assign(row, w))
          }
        } catch (e) {
          row.error = e.message
        }
        const done = (watching || Promise.resolve()).finally(async () => {
          await within(own.close(), 20000, 'context close').catch(() => {})
          console.log(`  nav ${eng} el=${row.el} ${target} #${r}: ${JSON.stringify(row)}`)
        })
        await bg(done)
      }
    }
  }
  return out
}

// 3. Back/forward cache: a page with (or without) a worker leaves for a
// same-origin page and comes back.
async function probeBfcache(ctx, srv, eng) {
  const variants = [
    { v: 'none', q: '' },
    { v: 'dedicated Worker', q: '&dw=1' },
    { v: 'SharedWorker', q: '&sw=w' },
    { v: 'SharedWorker, port.close() at pagehide', q: '&sw=w&closeport=1' },
    { v: 'SharedWorker el:true', q: '&sw=w&el=1' },
    { v: 'SharedWorker el:true, port.close() at pagehide', q: '&sw=w&el=1&closeport=1' },
    // What the SDK's SharedWorker holds while the page goes (issue 23).
    { v: 'SharedWorker holding an IndexedDB connection', q: '&sw=w&el=1&hold=idb' },
    { v: 'SharedWorker holding a Web Lock', q: '&sw=w&el=1&hold=lock' },
    { v: 'SharedWorker that took and released a Web Lock', q: '&sw=w&el=1&hold=lockonce' },
    { v: 'SharedWorker taking a Web Lock for 100 ms every 200 ms', q: '&sw=w&el=1&hold=lockoften' },
    { v: 'SharedWorker with a BroadcastChannel', q: '&sw=w&el=1&hold=bc' },
    { v: 'SharedWorker with a fetch in flight', q: '&sw=w&el=1&hold=fetch' },
  ].filter((x) => !process.env.BF_VARIANTS || process.env.BF_VARIANTS.split(',').some((k) => x.q.includes(k)))
  const out = []
  for (const { v, q } of variants) {
    for (let r = 0; r < REPS; r++) {
      // A tab per trial: after a restore from the cache, Puppeteer's next
      // goto in the same Firefox tab timed out (its load never seen).
      const page = await ctx.newPage()
      {
        const tag = newTag('bf')
        const row = { variant: v, rep: r }
        try {
          await page.goto(`${srv.url}/p.html?tag=${tag}${q}`)
          const a = await ready(page)
          row.id = a.hello?.id ?? null
          await sleep(300)
          await leave(page, `${srv.url}/p.html?tag=${tag}&away=1`, a.load)
          await sleep(500)
          const away = await page.evaluate(() => P.load)
          await page.back()
          const back = await page.waitFor((old) => window.P && P.load !== old && document.readyState === 'complete' && P.shows.length > 0 && { load: P.load, shows: P.shows }, away, { timeout: 15000, navigating: true, what: 'back' })
          row.restored = back.load === a.load && back.shows.length > 1 && back.shows[back.shows.length - 1].persisted === true
          row.reloaded = back.load !== a.load
          const nav = await page.evaluate(() => {
            const e = performance.getEntriesByType('navigation')[0]
            const n = e && e.notRestoredReasons
            return { type: e && e.type, nrr: n === undefined ? 'unsupported' : n && (n.toJSON ? n.toJSON() : n) }
          })
          row.navType = nav.type
          row.notRestoredReasons = nav.nrr
          if (row.restored && q.includes('sw=w') && !q.includes('closeport')) {
            // Is the connection still answered after the restore?
            const w = await page.evaluate(() => P.sw ? probe.ask(P.sw.port, 'whoami', 3000) : null)
            row.afterRestore = w ? { sameId: w.id === row.id, conns: w.conns } : 'no answer'
          }
          if (row.reloaded) { const b = await ready(page); row.reloadId = b.hello?.id ?? null; row.reloadSameInstance = row.reloadId && row.reloadId === row.id }
        } catch (e) {
          row.error = e.message
        }
        out.push(row)
        console.log(`  bfcache ${eng} ${v} #${r}: ${JSON.stringify(row)}`)
      }
      await page.close().catch(() => {})
    }
  }
  return out
}

// windowGone tells whether the page's tab is gone after a close from the page.
async function windowGone(page) {
  if (page.session) {
    const handles = await page.session.run((s) => s.send('GET', '/window/handles'))
    return !handles.includes(page.handle)
  }
  return page.isClosed()
}

// 4. The tab closes: by the driver (the engine's own tab close, as the
// browser's UI does), by window.close() from a click in the tab itself, or
// (a popup the page opened on a click) by the opener calling pop.close() on
// a click. Each trial in a profile of its own; the worker is watched with
// the profile open (and, for the popup, its opener, which has no worker).
async function probeClose(ctx, srv, eng, browser) {
  const out = []
  for (const el of [undefined, true]) {
    for (const how of ['driver', 'window.close() in the tab, on click', 'popup closed by its opener, on click'].filter((h, i) => !process.env.CLOSE_HOWS || process.env.CLOSE_HOWS.split(',').includes(String(i)))) {
      if (process.env.CLOSE_EL && String(el ?? 'none') !== process.env.CLOSE_EL) continue
      for (let r = 0; r < REPS; r++) {
        const tag = newTag('close')
        const row = { el: el ?? null, how, rep: r }
        out.push(row)
        const own = await within(browser.newContext(), 60000, 'context')
        const page = await own.newPage()
        const url = `${srv.url}/p.html?tag=${tag}&sw=w${el ? '&el=1' : ''}`
        let watching = null
        try {
          let load
          if (how.startsWith('popup')) {
            await page.goto(`${srv.url}/p.html?tag=${tag}&opener=1`)
            await page.evaluate((u) => { window.popUrl = u }, url)
            await page.click('#open')
            const a = await page.waitFor(() => window.pop && pop.P && !pop.P.swPending && (pop.P.hello || pop.P.swError) && { load: pop.P.load, hello: pop.P.hello, swError: pop.P.swError }, undefined, { timeout: 10000, what: 'popup ready' })
            if (!a.hello) throw new Error('no hello: ' + a.swError)
            row.id = a.hello.id
            load = a.load
            await sleep(1000)
            await page.click('#closepop')
            await sleep(1000)
            row.tabClosed = await page.evaluate(() => pop.closed)
          } else {
            // In the tab itself: reached by location.replace from about:blank, so
            // that its history has one entry and window.close() is allowed.
            if (how === 'driver') await page.goto(url)
            else await page.evaluate((u) => { setTimeout(() => location.replace(u), 0) }, url)
            const a = await ready(page)
            if (!a.hello) throw new Error('no hello: ' + a.swError)
            row.id = a.hello.id
            load = a.load
            await sleep(1000)
            if (how === 'driver') await page.close()
            else {
              row.historyLength = await page.evaluate(() => history.length)
              await page.click('#close').catch((e) => { row.clickError = e.message.slice(0, 120) })
              await sleep(1500)
              row.tabClosed = await windowGone(page).catch((e) => 'unknown: ' + e.message.slice(0, 80))
            }
          }
          row.pagehideBeacon = pagehideAt(srv, tag, load) !== null
          if (how === 'driver' || row.tabClosed === true) {
            const since = pagehideAt(srv, tag, load) ?? Date.now()
            watching = watch(srv, tag, row.id, since).then((w) => Object.assign(row, w))
          }
        } catch (e) {
          row.error = e.message
        }
        const done = (watching || Promise.resolve()).finally(async () => {
          await within(own.close(), 20000, 'context close').catch(() => {})
          console.log(`  close ${eng} el=${row.el} ${how} #${r}: ${JSON.stringify(row)}`)
        })
        await bg(done)
      }
    }
  }
  return out
}

// 5. Two tabs share a worker; the tab that created it (or the other) closes.
async function probeCreator(ctx, srv, eng) {
  const out = []
  for (const closing of ['creator', 'second']) {
    for (let r = 0; r < REPS; r++) {
      const tag = newTag('creator')
      const row = { closing, rep: r }
      const url = `${srv.url}/p.html?tag=${tag}&sw=w`
      const A = await ctx.newPage()
      const B = await ctx.newPage()
      try {
        await A.goto(url)
        const a = await ready(A)
        await B.goto(url)
        const b = await ready(B)
        row.id = a.hello?.id
        row.shared = !!b.hello && b.hello.id === a.hello?.id
        row.connsAtB = b.hello?.conns
        await sleep(500)
        const [gone, stays] = closing === 'creator' ? [A, B] : [B, A]
        const t = Date.now()
        await gone.close()
        await sleep(1500)
        const w = await stays.evaluate(() => probe.ask(P.sw.port, 'whoami', 3000))
        row.oldPortAnswer = w ? (w.id === row.id ? 'same instance' : `other instance ${w.id}`) : 'no answer'
        row.errorsSeen = await stays.evaluate(() => P.errors.length)
        const again = await stays.evaluate((tag) => probe.connect('/sw.js?tag=' + tag, { name: 'w' }).then((r) => r.hello ? r.hello.id : r.threw || r.error || 'timeout'), tag)
        row.newConnection = again === row.id ? 'same instance' : `other: ${again}`
        const pings = srv.pings(tag)
        row.oldPingsAfterClose = pings.filter((p) => p.id === row.id && p.at > t + 500).length
        row.idsPinging = [...new Set(pings.filter((p) => p.at > t + 500).map((p) => p.id))]
      } catch (e) {
        row.error = e.message
      } finally {
        for (const p of [A, B]) if (!p.isClosed()) await p.close().catch(() => {})
      }
      out.push(row)
      console.log(`  creator ${eng} close ${closing} #${r}: ${JSON.stringify(row)}`)
    }
  }
  return out
}

// 6. Same script URL, different names; same name, different extendedLifetime.
async function probeNames(ctx, srv, eng) {
  const out = []
  for (let r = 0; r < REPS; r++) {
    const page = await ctx.newPage()
    try {
      const tag = newTag('names')
      await page.goto(`${srv.url}/p.html?tag=${tag}`)
      const res = await page.evaluate(async (tag) => {
        const u = '/sw.js?tag=' + tag
        const id = (r) => r.hello ? r.hello.id : (r.threw || r.error || 'timeout')
        const v1 = await probe.connect(u, { name: 'sdk-v1' })
        const v2 = await probe.connect(u, { name: 'sdk-v2' })
        const v1b = await probe.connect(u, { name: 'sdk-v1' })
        const o = { v1: id(v1), v2: id(v2), v1again: id(v1b) }
        o.namesIsolate = o.v1 !== o.v2
        o.sameNameShares = o.v1 === o.v1again
        // Same URL and name, extendedLifetime true then absent, then false.
        const e1 = await probe.connect(u, { name: 'el', extendedLifetime: true })
        const e2 = await probe.connect(u, { name: 'el' }, 3000)
        const e3 = await probe.connect(u, { name: 'el', extendedLifetime: false }, 3000)
        o.elTrue = id(e1)
        o.elAbsent = id(e2) === o.elTrue ? 'same instance' : id(e2)
        o.elFalse = id(e3) === o.elTrue ? 'same instance' : id(e3)
        // Other order: absent first, then true.
        const f1 = await probe.connect(u, { name: 'el2' })
        const f2 = await probe.connect(u, { name: 'el2', extendedLifetime: true }, 3000)
        o.el2Absent = id(f1)
        o.el2True = id(f2) === o.el2Absent ? 'same instance' : id(f2)
        for (const x of [v1, v2, v1b, e1, e2, e3, f1, f2]) x.sw && x.sw.port.postMessage('close')
        return o
      }, tag)
      out.push(res)
      console.log(`  names ${eng} #${r}: ${JSON.stringify(res)}`)
    } catch (e) {
      out.push({ error: e.message })
    } finally {
      await page.close().catch(() => {})
    }
  }
  return out
}

// 7. Time from the constructor to the first message: a new instance, a
// running one, and a dedicated Worker; median of 10 per run.
async function probeCost(ctx, srv, eng) {
  const out = []
  for (let r = 0; r < REPS; r++) {
    const page = await ctx.newPage()
    try {
      const tag = newTag('cost')
      await page.goto(`${srv.url}/p.html?tag=${tag}`)
      const res = await page.evaluate(async ({ tag, el }) => {
        const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
        const o = {}
        // Warm-up: one worker started and closed before anything is timed.
        const warm = await probe.connect('/sw.js?tag=' + tag, { name: 'warm' })
        warm.sw && warm.sw.port.postMessage('close')
        for (const withEl of el ? [false, true] : [false]) {
          const extra = withEl ? { extendedLifetime: true } : {}
          const k = withEl ? ' el:true' : ''
          const fresh = [], running = []
          for (let i = 0; i < 10; i++) {
            const x = await probe.connect('/sw.js?tag=' + tag, { name: `new${k}${i}`, ...extra })
            if (x.hello) fresh.push(x.ms)
            x.sw && x.sw.port.postMessage('close')
          }
          const keep = await probe.connect('/sw.js?tag=' + tag, { name: 'run' + k, ...extra })
          for (let i = 0; i < 10; i++) {
            const x = await probe.connect('/sw.js?tag=' + tag, { name: 'run' + k, ...extra })
            if (x.hello) running.push(x.ms)
          }
          keep.sw && keep.sw.port.postMessage('close')
          o['new' + k] = fresh.length ? med(fresh) : null
          o['running' + k] = running.length ? med(running) : null
        }
        const dw = []
        for (let i = 0; i < 10; i++) {
          const t0 = performance.now()
          const w = new Worker('/dw.js?tag=' + tag)
          await new Promise((ok) => { w.onmessage = () => ok(); setTimeout(ok, 5000) })
          dw.push(performance.now() - t0)
          w.terminate()
        }
        o.dedicated = med(dw)
        return o
      }, { tag, el: eng === 'chromium' })
      out.push(res)
      console.log(`  cost ${eng} #${r}: ${JSON.stringify(res)}`)
    } catch (e) {
      out.push({ error: e.message })
    } finally {
      await page.close().catch(() => {})
    }
  }
  return out
}

const probes = { caps: probeCaps, nav: probeNav, bfcache: probeBfcache, close: probeClose, creator: probeCreator, names: probeNames, cost: probeCost }

// ---------------------------------------------------------------- tables

function table(r) {
  const L = []
  const row = (k, v) => L.push(`  ${k.padEnd(64)} ${v}`)
  L.push(`${r.engine} ${r.version}`)
  const c = (r.caps || []).filter((x) => !x.error)
  if (c.length) {
    const f = c[0]
    row('typeof SharedWorker', f.typeofSharedWorker)
    row('extendedLifetime read by the constructor (runs)', c.map((x) => x.elRead).join(' '))
    row('new SharedWorker(url, {name, extendedLifetime:true})', c.map((x) => x.elAccepted && x.elHello ? 'ok' : (x.elThrew || x.elError)).join(' | '))
    if (f.sw && typeof f.sw === 'object') for (const k of Object.keys(f.sw)) row(`SharedWorker: ${k}`, c.map((x) => x.sw?.[k]).join(' | '))
    row('WebAssembly.Module posted to the SharedWorker', c.map((x) => JSON.stringify(x.moduleToShared)).join(' | '))
    row('WebAssembly.Module posted to a dedicated Worker', c.map((x) => JSON.stringify(x.moduleToDedicated)).join(' | '))
  }
  for (const x of (r.caps || []).filter((x) => x.error)) row('caps error', x.error)
  const n = r.nav || []
  for (const el of [null, true]) {
    const a = n.filter((x) => x.el === el && x.target === 'a')
    const b = n.filter((x) => x.el === el && x.target === 'b')
    const k = el ? 'el:true' : 'no el'
    if (a.length) row(`nav (a) to a page without it, ${k}: ms pinging after pagehide`, `${spread(a.map((x) => x.ranMs))} [${a.map((x) => x.error ? 'ERR' : x.ranMs + (x.capped ? '+' : '')).join(', ')}]`)
    if (a.length) row(`nav (a) ${k}: pings after pagehide`, a.map((x) => x.pingsAfter).join(', '))
    if (b.length) row(`nav (b) to a page with it, ${k}: same instance`, b.map((x) => x.error ? 'ERR' : x.sameInstance ? `yes (conns ${x.connsSeen})` : 'no').join(', '))
    if (b.length) row(`nav (b) ${k}: old instance ms pinging after pagehide`, b.map((x) => x.oldLastAfterMs).join(', '))
    if (b.length) row(`nav (b) ${k}: new page's hello ms`, spread(b.map((x) => x.helloMs)))
  }
  const bf = r.bfcache || []
  for (const v of [...new Set(bf.map((x) => x.variant))]) {
    const xs = bf.filter((x) => x.variant === v)
    const reasons = [...new Set(xs.map((x) => reasonsOf(x.notRestoredReasons)).filter(Boolean))].join('; ')
    row(`bfcache: ${v}`, xs.map((x) => x.error ? 'ERR' : x.restored ? 'restored' : x.reloaded ? 'reloaded' : '?').join(', ') + (reasons ? `  [${reasons}]` : '') + (xs.some((x) => x.afterRestore) ? `  port after restore: ${xs.map((x) => JSON.stringify(x.afterRestore)).join(', ')}` : ''))
  }
  const cl = r.close || []
  for (const el of [null, true]) for (const how of ['driver', 'window.close() in the tab, on click', 'popup closed by its opener, on click']) {
    const xs = cl.filter((x) => x.el === el && x.how === how)
    if (xs.length) row(`tab close (${how}), ${el ? 'el:true' : 'no el'}: ms pinging after`, xs.map((x) => x.error ? 'ERR ' + x.error.slice(0, 40) : `${x.ranMs ?? '-'}${x.capped ? '+' : ''}${how === 'driver' ? '' : x.tabClosed === true ? '' : ' (not closed: ' + x.tabClosed + (x.historyLength ? ', history.length ' + x.historyLength : '') + ')'}`).join(', '))
  }
  const cr = r.creator || []
  for (const closing of ['creator', 'second']) {
    const xs = cr.filter((x) => x.closing === closing)
    if (xs.length) row(`two tabs, close the ${closing}: other tab's port`, xs.map((x) => x.error ? 'ERR' : `${x.oldPortAnswer}; new conn ${x.newConnection}; errors ${x.errorsSeen}`).join(' | '))
  }
  const nm = (r.names || []).filter((x) => !x.error)
  if (nm.length) {
    row('different names → different instances', nm.map((x) => x.namesIsolate).join(' '))
    row('same name → same instance', nm.map((x) => x.sameNameShares).join(' '))
    row('el:true running; connect with el absent', nm.map((x) => x.elAbsent).join(' | '))
    row('el:true running; connect with el:false', nm.map((x) => x.elFalse).join(' | '))
    row('el absent running; connect with el:true', nm.map((x) => x.el2True).join(' | '))
  }
  const co = (r.cost || []).filter((x) => !x.error)
  if (co.length) for (const k of Object.keys(co[0])) row(`ms to first message: ${k} (median of 10 per run)`, `${spread(co.map((x) => x[k]))} [${co.map((x) => x[k] === null ? 'n/a' : x[k].toFixed(1)).join(', ')}]`)
  for (const [k, v] of Object.entries(r.errors || {})) row(`probe ${k} failed`, v)
  return L.join('\n')
}

function reasonsOf(nrr) {
  if (!nrr || typeof nrr !== 'object') return nrr === 'unsupported' ? '' : null
  const out = []
  const walk = (n) => { for (const x of n.reasons || []) out.push(x.reason || x); for (const c of n.children || []) walk(c) }
  walk(nrr)
  return out.length ? out.join(',') : null
}

// ---------------------------------------------------------------- main

const srv = await startServer()
const results = { date: new Date().toISOString(), reps: REPS, command: `ENGINES=${ENGINES.join(',')} node bench/sharedworker-probe.mjs`, engines: [] }
try {
  for (const name of ENGINES) {
    const engine = await load(name)
    console.log(`# ${name}: launching`)
    const browser = await within(engine.launch(), 60000, `${name} launch`)
    const r = { engine: name, version: '', errors: {} }
    try {
      const ctx = await within(browser.newContext(), 60000, `${name} context`)
      r.version = browser.version
      for (const p of PROBES) {
        const t0 = Date.now()
        console.log(`# ${name}: ${p}`)
        try {
          r[p] = await within(probes[p](ctx, srv, name, browser), 900000, `${name} ${p}`)
        } catch (e) {
          r.errors[p] = e.message
        }
        console.log(`# ${name}: ${p} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      }
      console.log(`# ${name}: waiting for ${active.size} background watches`)
      await within(drain(), WATCH_MAX_MS + 120000, 'background watches').catch((e) => { r.errors.watches = e.message })
      await within(ctx.close(), 15000, 'context close').catch(() => {})
    } finally {
      await within(browser.close(), 20000, `${name} close`).catch(() => {})
    }
    results.engines.push(r)
    console.log('\n' + table(r) + '\n')
  }
} finally {
  await srv.close()
  mkdirSync(dirname(OUT), { recursive: true })
  writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n')
  console.log(`wrote ${OUT}`)
}
console.log('\n' + results.engines.map(table).join('\n\n'))
