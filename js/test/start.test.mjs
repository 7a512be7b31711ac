// Unit tests of when the SDK starts loading (js/src/start.js) and of what
// the close path knows before it has (js/src/closeinfo.js).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startSteps, scheduleStart, checkStart, checkHost, browserEnv, START_MODES, IDLE_TIMEOUT_MS, IDLE_FALLBACK_MS, LOAD_TIMEOUT_MS } from '../src/start.js'
import { CloseInfo, sendsBeforeStart } from '../src/closeinfo.js'

test('the decision: eager starts now; idle waits for load, then an idle period; after load, for an idle period only', () => {
  const cases = [
    ['eager', 'loading', []],
    ['eager', 'interactive', []],
    ['eager', 'complete', []],
    ['idle', 'loading', ['load', 'idle']],
    ['idle', 'interactive', ['load', 'idle']],
    ['idle', 'complete', ['idle']],
  ]
  for (const [mode, readyState, want] of cases) {
    assert.deepEqual(startSteps(mode, readyState), want, `${mode}, ${readyState}`)
  }
})

test('start is validated: idle by default, a RangeError naming the field otherwise', () => {
  assert.equal(START_MODES[0], 'idle')
  assert.equal(checkStart(undefined), 'idle')
  assert.equal(checkStart(null), 'idle')
  assert.equal(checkStart('eager'), 'eager')
  assert.equal(checkStart('idle'), 'idle')
  for (const bad of ['lazy', 'EAGER', '', 0, true, {}]) {
    assert.throws(() => checkStart(bad), (e) => e instanceof RangeError && /start/.test(e.message) && /'idle', 'eager'/.test(e.message), String(bad))
  }
})

// fakeEnv records what scheduleStart waits for; fire(kind) delivers it.
function fakeEnv(readyState) {
  const log = []
  const waiting = { load: [], idle: [] }
  return {
    log,
    env: {
      readyState: () => readyState,
      onLoad: (fn) => { log.push('wait load'); waiting.load.push(fn) },
      idle: (fn) => { log.push('wait idle'); waiting.idle.push(fn) },
    },
    fire(kind) {
      log.push(kind)
      for (const fn of waiting[kind].splice(0)) fn()
    },
  }
}

test("host: 'auto' by default, the older worker: false is 'page', host wins over it, and anything else is a RangeError naming the field", () => {
  assert.equal(checkHost(undefined, undefined), 'auto')
  assert.equal(checkHost(null, true), 'auto')
  assert.equal(checkHost(undefined, false), 'page')
  assert.equal(checkHost('worker', false), 'worker')
  for (const h of ['sharedworker', 'worker', 'page']) assert.equal(checkHost(h), h)
  for (const bad of ['shared', '', 1, true]) assert.throws(() => checkHost(bad), (e) => e instanceof RangeError && /configure: host must be one of 'auto'/.test(e.message))
})

test('a page still loading: the start waits for load, then for idle, and begins once', () => {
  const f = fakeEnv('loading')
  let begun = 0
  scheduleStart('idle', () => { begun++; f.log.push('begin') }, f.env)
  assert.deepEqual(f.log, ['wait load'])
  f.fire('idle') // an idle period before load does not count
  assert.equal(begun, 0)
  f.fire('load')
  assert.equal(begun, 0, 'not at load: the page has its idle period first')
  f.fire('idle')
  f.fire('idle')
  f.fire('load')
  assert.equal(begun, 1)
  assert.deepEqual(f.log, ['wait load', 'idle', 'load', 'wait idle', 'idle', 'begin', 'idle', 'load'])
})

test('a page already loaded: the start waits for an idle period only', () => {
  const f = fakeEnv('complete')
  let begun = 0
  scheduleStart('idle', () => begun++, f.env)
  assert.deepEqual(f.log, ['wait idle'])
  f.fire('idle')
  assert.equal(begun, 1)
})

test('eager begins in the call itself, waiting for nothing', () => {
  const f = fakeEnv('loading')
  let begun = 0
  scheduleStart('eager', () => begun++, f.env)
  assert.equal(begun, 1)
  assert.deepEqual(f.log, [])
})

test('the browser: requestIdleCallback with a timeout where there is one, a timer otherwise; load once', () => {
  const calls = []
  const g = {
    document: { readyState: 'interactive' },
    addEventListener: (type, fn, opts) => calls.push(['addEventListener', type, opts]),
    requestIdleCallback: (fn, opts) => calls.push(['requestIdleCallback', opts]),
    setTimeout: (fn, ms) => calls.push(['setTimeout', ms]),
    clearTimeout: () => {},
  }
  const env = browserEnv(g)
  assert.equal(env.readyState(), 'interactive')
  env.onLoad(() => {})
  env.idle(() => {})
  delete g.requestIdleCallback
  env.idle(() => {})
  assert.deepEqual(calls, [
    ['setTimeout', LOAD_TIMEOUT_MS],
    ['addEventListener', 'load', { once: true }],
    ['requestIdleCallback', { timeout: IDLE_TIMEOUT_MS }],
    ['setTimeout', IDLE_FALLBACK_MS],
  ])
})

test('a load that never comes: the SDK starts LOAD_TIMEOUT_MS after configure, once, and a load after that starts nothing more', () => {
  const timers = []
  const listeners = []
  const g = {
    document: { readyState: 'loading' },
    addEventListener: (type, fn) => listeners.push(fn),
    setTimeout: (fn, ms) => { timers.push({ fn, ms, cleared: false }); return timers.length },
    clearTimeout: (id) => { if (timers[id - 1]) timers[id - 1].cleared = true },
  }
  const env = browserEnv(g)
  let loaded = 0
  env.onLoad(() => loaded++)
  assert.deepEqual(timers.map((t) => t.ms), [LOAD_TIMEOUT_MS])
  timers[0].fn() // the page never loaded
  assert.equal(loaded, 1)
  for (const fn of listeners) fn() // it loads at last
  assert.equal(loaded, 1, 'once')
  // A page that loads in time: the timer is cleared.
  env.onLoad(() => loaded++)
  for (const fn of listeners.slice(1)) fn()
  assert.equal(loaded, 2)
  assert.equal(timers[1].cleared, true)
})

// memoryStore is a localStorage stand-in.
function memoryStore() {
  const m = new Map()
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), m }
}

const cfg = { dbName: 'exponea:t', baseUrl: 'https://api.example', projectToken: 't', authorization: 'Token k' }

test('the close path knows what the last page of the same configuration was told', () => {
  const store = memoryStore()
  const first = new CloseInfo(cfg, store)
  assert.equal(first.read(), null, 'nothing on the first page')
  first.save({ url: 'https://api.example/x?access_token=k', ids: '{"cookie":"c1"}', consent: 'granted' })
  first.save({ ids: '{"cookie":"c1","registered":"a"}' })
  assert.deepEqual(new CloseInfo(cfg, store).read(), { url: 'https://api.example/x?access_token=k', ids: '{"cookie":"c1","registered":"a"}', consent: 'granted' })
  for (const other of [{ baseUrl: 'https://b.example' }, { projectToken: 'u' }, { authorization: 'Token j' }]) {
    assert.equal(new CloseInfo({ ...cfg, ...other }, store).read(), null, `another configuration: ${JSON.stringify(other)}`)
  }
  assert.equal(new CloseInfo({ ...cfg, dbName: 'exponea:u' }, store).read(), null, 'another database')
  first.save({ consent: 'denied' })
  assert.equal(store.m.size, 0, 'consent denied: nothing of the visitor kept')
  assert.equal(new CloseInfo(cfg, store).read(), null)
})

test('what is kept already is not written again; a change, or what another page wrote meanwhile, is', () => {
  const store = memoryStore()
  let writes = 0
  const setItem = store.setItem
  store.setItem = (k, v) => { writes++; setItem(k, v) }
  const info = { url: 'https://api.example/x?access_token=k', ids: '{"cookie":"c1"}', consent: 'granted' }
  new CloseInfo(cfg, store).save(info)
  assert.equal(writes, 1)
  const next = new CloseInfo(cfg, store) // the next page of the visit
  next.read()
  next.save(info) // configure's answer
  next.save({ ids: info.ids }) // the identity
  next.save({ consent: 'granted' }) // the consent
  assert.equal(writes, 1, 'told the same: nothing written')
  next.save({ ids: '{"cookie":"c1","registered":"a"}' })
  assert.equal(writes, 2, 'a new identity is written')
  new CloseInfo(cfg, store).save({ ...info, ids: '{"cookie":"c2"}' }) // another tab, after an anonymize
  next.save({ ids: '{"cookie":"c1","registered":"a"}' })
  assert.equal(writes, 4, 'written again where another page changed it')
  assert.deepEqual(new CloseInfo(cfg, store).read(), { ...info, ids: '{"cookie":"c1","registered":"a"}' })
})

test('unreadable or unavailable storage: nothing known, nothing thrown', () => {
  const store = memoryStore()
  store.setItem('exponea:c:exponea:t', '{not json')
  assert.equal(new CloseInfo(cfg, store).read(), null)
  const none = new CloseInfo(cfg, null)
  assert.equal(none.read(), null)
  none.save({ url: 'u', ids: 'i', consent: 'granted' })
  const full = { ...memoryStore(), setItem() { throw new Error('QuotaExceededError') } }
  new CloseInfo(cfg, full).save({ url: 'u', ids: 'i', consent: 'granted' })
})

test('before the start, the close path sends only with consent: configured, or pending and granted before', () => {
  const known = (consent) => ({ url: 'u', ids: 'i', consent })
  assert.equal(sendsBeforeStart('granted', null), true)
  assert.equal(sendsBeforeStart('granted', known('denied')), true, "configure's decision is stored")
  assert.equal(sendsBeforeStart('denied', known('granted')), false)
  assert.equal(sendsBeforeStart('pending', null), false)
  assert.equal(sendsBeforeStart('pending', known('pending')), false)
  assert.equal(sendsBeforeStart('pending', known('granted')), true)
})
