// Unit tests of the bridge's custody of calls: the journal, the answers,
// and handing everything outstanding to a (re)started Go side (node --test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Bridge } from '../src/bridge.js'
import { Journal } from '../src/journal.js'

// A localStorage on a Map.
class Storage {
  constructor() { this.m = new Map() }
  setItem(k, v) { this.m.set(k, String(v)) }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null }
  removeItem(k) { this.m.delete(k) }
  get length() { return this.m.size }
}
// Object.keys(localStorage) lists its keys; a Proxy does the same here.
const storage = () => {
  const s = new Storage()
  return new Proxy(s, { ownKeys: () => [...s.m.keys()], getOwnPropertyDescriptor: (_, k) => (s.m.has(k) ? { value: s.m.get(k), enumerable: true, configurable: true } : undefined) })
}

// tick waits for the next task after the calls' microtask has scheduled
// theirs (a call posts in a task of its own).
const tick = () => new Promise((r) => queueMicrotask(() => setTimeout(r, 0)))
const fields = (line) => line.split('\u001f') // id, method, time, key, entry, args

function bridge(store = storage()) {
  globalThis.localStorage = store
  const reports = []
  const b = new Bridge({ db: 'db', defaults: '{}', hooks: { report: (k, d) => reports.push([k, d]), configured() {}, restore: () => [['setFlushMode', '"manual"']] } })
  const posted = []
  b.configureArgs = () => '{"config":{}}'
  b.settleReady = { resolve() {}, reject() {} }
  b.where = 'page'
  return { b, posted, reports, store, go: () => { b.apply = (t) => posted.push(...t.split('\n')); b.handOver() } }
}

test('calls that make records are journaled in entries before they are posted, and leave the journal once answered', async () => {
  const { b, posted, store, go } = bridge()
  const p1 = b.call('trackEvent', '{"name":"a"}')
  const p2 = b.call('trackEvent', '{"name":"b"}')
  b.call('getQueueLength').catch(() => {})
  const p3 = b.call('anonymize')
  const p4 = b.call('trackEvent', '{"name":"c"}')
  await Promise.resolve()
  const entries = new Journal('db', store).entries()
  assert.equal(entries.length, 3, 'a, b | anonymize | c')
  assert.deepEqual(entries.map((e) => e.calls.map((c) => c.method)), [['trackEvent', 'trackEvent'], ['anonymize'], ['trackEvent']])
  assert.equal(posted.length, 0, 'nothing posted before the Go side runs')
  go()
  assert.equal(fields(posted[0])[1], 'configure')
  const lines = posted.slice(1).map(fields)
  assert.deepEqual(lines.map((f) => f[1]), ['trackEvent', 'trackEvent', 'getQueueLength', 'anonymize', 'trackEvent'])
  assert.equal(lines[0][4], lines[1][4], 'a and b share an entry')
  assert.notEqual(lines[3][4], lines[4][4])
  assert.match(lines[0][3], /^[0-9a-f-]{36}$/, 'a record id is given on the page')
  assert.equal(lines[2][3] + lines[2][4], '', 'getQueueLength is not journaled')
  // a is stored, b is refused (bad input: gone for good), anonymize fails
  // for a reason of the SDK's (kept for the next page).
  b.done(JSON.stringify([{ i: Number(lines[0][0]) }, { i: Number(lines[1][0]), e: { c: 'TypeError', m: 'bad' } }, { i: Number(lines[3][0]), e: { c: 'Error', m: 'store failed' } }]))
  await p1
  await assert.rejects(p2, TypeError)
  await assert.rejects(p3, /store failed \(the call stays in the page's journal/)
  const left = new Journal('db', store).entries()
  assert.deepEqual(left.map((e) => e.calls.map((c) => c.method)), [['anonymize'], ['trackEvent']])
  b.done(JSON.stringify([{ i: Number(lines[4][0]) }]))
  await p4
  assert.deepEqual(new Journal('db', store).entries().map((e) => e.calls[0].method), ['anonymize'])
})

test('a restarted Go side gets configure, the settings, then every call not answered, under the default properties it was made with', async () => {
  const { b, posted, go } = bridge()
  go()
  posted.length = 0
  b.call('trackEvent', '{"name":"a"}').catch(() => {})
  b.defaults = '{"v":1}'
  b.call('setDefaultProperties', '{"v":1}').catch(() => {})
  b.call('trackEvent', '{"name":"b"}').catch(() => {})
  b.defaults = '{"v":2}'
  b.call('setDefaultProperties', '{"v":2}').catch(() => {})
  await tick() // posted in the task after the calls'
  const first = posted.map(fields)
  // The Go side stored a, took both setDefaultProperties, then died.
  b.done(JSON.stringify([{ i: Number(first[0][0]) }, { i: Number(first[1][0]) }, { i: Number(first[3][0]) }]))
  b.restarts = 1
  posted.length = 0
  b.apply = (t) => posted.push(...t.split('\n'))
  b.handOver()
  const again = posted.map(fields)
  assert.deepEqual(again.map((f) => [f[1], f[5]]), [
    ['configure', '{"config":{}}'],
    ['setFlushMode', '"manual"'],
    ['setDefaultProperties', '{"v":1}'], // b was made under {"v":1}
    ['trackEvent', '{"name":"b"}'],
    ['setDefaultProperties', '{"v":2}'], // and the page's now
  ])
  assert.equal(again[3][3], first[2][3], 'under the same record id')
  assert.equal(again[3][0], first[2][0], 'answering the same Promise')
})

test("a page hands over first what other pages' journals left", async () => {
  const store = storage()
  const old = new Journal('db', store)
  old.write({ key: '000000000000001-x', defaults: '{"old":true}', calls: [{ method: 'trackEvent', time: 5, key: 'k-old', args: '{"name":"left"}' }] })
  new Journal('other', store).write({ key: '000000000000002-y', defaults: '{}', calls: [{ method: 'trackEvent', time: 5, key: 'k-other', args: '{}' }] })
  const { b, posted, go } = bridge(store)
  b.replayStored()
  b.call('trackEvent', '{"name":"mine"}')
  await Promise.resolve()
  go()
  const lines = posted.map(fields)
  assert.deepEqual(lines.map((f) => [f[1], f[3] || f[5]]), [
    ['configure', '{"config":{}}'],
    ['setDefaultProperties', '{"old":true}'],
    ['trackEvent', 'k-old'],
    ['setDefaultProperties', '{}'],
    ['trackEvent', lines[4][3]],
  ])
  assert.equal(lines[2][4], '000000000000001-x', 'under its own entry, which the Go side stores once')
  assert.deepEqual(b.unstored().map((c) => c.key), ['k-old', lines[4][3]])
  b.done(JSON.stringify([{ i: Number(lines[2][0]) }]))
  assert.deepEqual(new Journal('db', store).entries().map((e) => e.calls[0].key), [lines[4][3]], 'the old entry leaves the journal once answered')
  assert.equal(new Journal('other', store).entries().length, 1, "another database's entries are left alone")
})

test('a full journal is reported once, and the calls still go', async () => {
  const store = storage()
  store.setItem = () => { throw new Error('QuotaExceededError') }
  const { b, posted, reports, go } = bridge(store)
  go()
  b.call('trackEvent', '{"name":"a"}').catch(() => {})
  b.call('trackEvent', '{"name":"b"}').catch(() => {})
  await Promise.resolve()
  b.call('trackEvent', '{"name":"c"}').catch(() => {})
  await tick()
  assert.equal(posted.filter((l) => fields(l)[1] === 'trackEvent').length, 3)
  assert.equal(reports.filter(([k]) => k === 'error').length, 1)
  await tick()
})

test('calls are journaled in their own task but posted in the next; a held page posts nothing until released', async () => {
  const { b, posted, store, go } = bridge()
  go()
  posted.length = 0
  b.call('trackEvent', '{"name":"click"}').catch(() => {})
  await Promise.resolve()
  assert.equal(new Journal('db', store).entries().length, 1, 'journaled at the end of the task')
  assert.equal(posted.length, 0, 'not posted yet: the task may still navigate')
  b.hold(60000) // the page leaves for another page of the site
  await tick()
  assert.equal(posted.length, 0, 'held: the next page hands it over')
  b.call('trackEvent', '{"name":"late"}').catch(() => {})
  await tick()
  assert.equal(posted.length, 0)
  b.release() // the navigation did not happen
  assert.deepEqual(posted.map((l) => fields(l)[5]), ['{"name":"click"}', '{"name":"late"}'])
})

test('a suspended Go side gets, once resumed, configure, the settings and every call made meanwhile', async () => {
  const { b, posted, go } = bridge()
  go()
  b.where = 'worker'
  b.worker = { end() { this.ended = true } }
  const w = b.worker
  b.suspend() // pagehide
  assert.ok(w.ended, 'the Worker is ended at once')
  assert.equal(b.apply, null)
  posted.length = 0
  b.call('trackEvent', '{"name":"meanwhile"}').catch(() => {})
  await tick()
  assert.equal(posted.length, 0, 'nothing to post to')
  b.launch = (where) => { b.launched = where; b.where = 'page'; go() } // pageshow, persisted (a Go side on the page here: no Worker to watch)
  b.resume()
  assert.equal(b.launched, 'worker')
  assert.deepEqual(posted.map((l) => fields(l)[1]), ['configure', 'setFlushMode', 'trackEvent'])
  b.resume()
  assert.equal(posted.length, 3, 'a second pageshow starts nothing')
})

test('a page restored from the back/forward cache neither resends at close nor hands over again what the next page answered for', async () => {
  const { b, posted, store, go } = bridge()
  go()
  b.where = 'worker'
  b.worker = { end() {} }
  posted.length = 0
  const click = b.call('trackEvent', '{"name":"click"}')
  b.hold(60000) // leaving for another page of the site
  await tick()
  const kept = b.call('trackEvent', '{"name":"kept"}') // made later, in another task: in another entry
  await tick()
  b.suspend() // pagehide, into the cache
  const j = new Journal('db', store)
  assert.equal(j.entries().length, 2)
  assert.equal(b.unstored().length, 2, 'both are the close path\'s while they are in the journal')
  // The next page hands over the click's entry, and its Go side answers: it
  // leaves the journal.
  j.remove(j.entries().find((e) => e.calls[0].args === '{"name":"click"}').key)
  assert.deepEqual(b.unstored().map((c) => c.args), ['{"name":"kept"}'], 'the close path leaves the click to the page that sent it')
  b.launch = () => { b.where = 'page'; go() }
  b.release() // back (pageshow, persisted): as client.js does
  b.resume()
  assert.equal(await click, undefined, "the click's Promise settles: its record is stored")
  assert.deepEqual(posted.filter((l) => fields(l)[1] === 'trackEvent').map((l) => fields(l)[5]), ['{"name":"kept"}'], 'only what is still journaled goes to the Go side')
  kept.catch(() => {})
})

test('a call the journal could not hold is never taken for handed over', async () => {
  const full = storage()
  full.setItem = () => { throw new Error('QuotaExceededError') }
  const { b, go } = bridge(full)
  go()
  b.call('trackEvent', '{"name":"memory only"}').catch(() => {})
  await tick()
  assert.equal(new Journal('db', full).entries().length, 0)
  assert.deepEqual(b.unstored().map((c) => c.args), ['{"name":"memory only"}'])
})

test('a journal entry is never split between two pieces handed to the Go side', async () => {
  const { b, posted } = bridge()
  const pieces = []
  for (let i = 0; i < 1203; i++) b.call('trackEvent', `{"name":"e${i}"}`).catch(() => {})
  await Promise.resolve()
  b.apply = (t) => pieces.push(t.split('\n'))
  b.handOver() // configure first: the pieces are offset by one line
  // A piece goes only while fewer than 1000 calls are with the Go side
  // unanswered: the third waits for answers.
  assert.deepEqual(pieces.map((p) => p.length), [501, 500])
  const answer = (ls) => b.done(JSON.stringify(ls.map((l) => ({ i: Number(fields(l)[0]), v: {} }))))
  answer(pieces[0].slice(0, 1))
  assert.equal(pieces.length, 2, '1000 unanswered: the third piece waits')
  answer(pieces[0].slice(1, 2))
  assert.deepEqual(pieces.map((p) => p.length), [501, 500, 203])
  const entries = pieces.map((p) => new Set(p.map((l) => fields(l)[4]).filter(Boolean)))
  for (let i = 1; i < entries.length; i++) {
    for (const e of entries[i]) assert.ok(!entries[i - 1].has(e), `entry ${e} in pieces ${i - 1} and ${i}`)
  }
  assert.equal(posted.length, 0)
})

// configure answered with errors as the Go side answers them when its
// storage failed to open (a plain Error), or the config is refused (a
// TypeError): every call after configure in the batch is answered "call
// Exponea.configure first".
function failStart(b, posted, err) {
  const lines = posted.map(fields)
  b.done(JSON.stringify(lines.map((f, n) => ({ i: Number(f[0]), e: n === 0 ? err : { c: 'Error', m: `${f[1]}: call Exponea.configure first` } }))))
  return lines
}

test('a configure that fails for storage starts the Go side again after 250 ms, and the calls wait for it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const { b, posted, reports, store, go } = bridge()
  const launched = []
  b.launch = (where) => launched.push(where)
  let ready = 'pending'
  b.settleReady = { resolve() { ready = 'resolved' }, reject() { ready = 'rejected' } }
  let settled = false
  const p = b.call('trackEvent', '{"name":"a"}').finally(() => { settled = true })
  await Promise.resolve()
  go()
  const [, ev] = failStart(b, posted, { c: 'Error', m: 'idbstore: update state: context deadline exceeded' })
  t.mock.timers.tick(249)
  assert.deepEqual(launched, [], 'not before the first restart\'s delay')
  t.mock.timers.tick(1)
  assert.deepEqual(launched, ['page'], 'started again')
  assert.equal(settled, false, 'the call is not answered by the Go side given up on')
  assert.equal(ready, 'pending')
  assert.equal(new Journal('db', store).entries().length, 1, 'the call stays journaled')
  assert.match(reports.find(([k]) => k === 'error')[1].message, /configure: idbstore: update state: context deadline exceeded\); restarting it/)
  posted.length = 0
  go()
  const again = posted.map(fields)
  assert.deepEqual(again.map((f) => f[1]), ['configure', 'setFlushMode', 'trackEvent'])
  assert.equal(again[2][0], ev[0], 'the same call, answering the same Promise')
  b.done(JSON.stringify(again.map((f) => ({ i: Number(f[0]), v: {} }))))
  await p
  assert.equal(ready, 'resolved')
  assert.equal(new Journal('db', store).entries().length, 0)
})

test('a configure that keeps failing for storage is started again in its worker, not moved to the page (storage is the same there); a worker that keeps dying is', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  for (const storage of [true, false]) {
    const { b, posted, go } = bridge()
    const launched = []
    b.launch = (where) => { launched.push(where); b.where = where }
    b.where = 'worker'
    b.call('trackEvent', '{"name":"a"}').catch(() => {})
    await Promise.resolve()
    for (let i = 0; i < 8; i++) {
      posted.length = 0
      go()
      if (storage) failStart(b, posted, { c: 'Error', m: 'idbstore: snapshot: UnknownError' })
      else b.lost('no answer from the worker')
      t.mock.timers.tick(4000)
      if (launched.at(-1) === 'page') break
    }
    if (storage) assert.deepEqual(launched, Array(8).fill('worker'), '8 starts again, all in a worker')
    else {
      assert.deepEqual(launched, ['worker', 'worker', 'worker', 'page'], 'three in a worker, then on the page')
      assert.match(b.hostReason, /the worker stopped 4 times \(no answer from the worker\)/)
    }
  }
})

test('a configuration the Go side refuses fails the SDK at once: no restart, every call rejected, the journal kept', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const { b, posted, store, go } = bridge()
  const launched = []
  b.launch = (where) => launched.push(where)
  let ready = null
  b.settleReady = { resolve() {}, reject(e) { ready = e } }
  const p = b.call('trackEvent', '{"name":"a"}')
  await Promise.resolve()
  go()
  failStart(b, posted, { c: 'TypeError', m: 'configure: projectToken must be a string' })
  await assert.rejects(p, /the SDK could not start: configure: projectToken must be a string \(the call stays in the page's journal/)
  assert.match(ready.message, /projectToken/)
  t.mock.timers.runAll() // every timer set, the restart's included if there were one
  assert.deepEqual(launched, [])
  assert.equal(new Journal('db', store).entries().length, 1)
})

// Fake workers: a SharedWorker (with a port) and a Worker, each answering
// the start message as worker.js does (or failing to load, as a refused
// script does), recording what the page posted.
function fakeWorkers({ sharedFails = false, readsLifetime = true } = {}) {
  const made = []
  // As worker.js: the first start message starts the page's SDK (a
  // second is ignored); a hello's join is one where the Go program runs.
  const answer = (w, post) => (m) => {
    w.posted.push(m)
    const start = (by) => {
      if (w.startedBy) return
      w.startedBy = by
      setTimeout(() => post({ t: 'ready', marks: {}, instance: w.instance }), 0)
    }
    if (m && m.wasmUrl) start('start')
    if (m && m.t === 'ping') setTimeout(() => post({ t: 'pong', instance: w.pongAs || w.instance }), 0)
    if (m && m.t === 'hello') {
      setTimeout(() => post({ t: 'hello', running: !!w.running, instance: w.instance }), 0)
      if (w.running && m.join && m.join.wasmUrl) start('hello')
    }
  }
  class SharedWorker {
    constructor(url, opts) {
      this.kind = 'sharedworker'
      this.url = url
      this.name = opts.name
      if (readsLifetime) this.extendedLifetime = opts.extendedLifetime
      this.posted = []
      this.instance = 'i1'
      this.closed = false
      made.push(this)
      const w = this
      this.port = {
        onmessage: null,
        postMessage: sharedFails ? (m) => w.posted.push(m) : answer(w, (m) => w.port.onmessage && w.port.onmessage({ data: m })),
        close() { w.closed = true },
      }
      if (sharedFails) setTimeout(() => this.onerror && this.onerror({ message: 'refused', preventDefault() {} }), 0)
    }
  }
  class Worker {
    constructor(url) {
      this.kind = 'worker'
      this.url = url
      this.posted = []
      this.instance = 'w1'
      made.push(this)
      this.postMessage = answer(this, (m) => this.onmessage && this.onmessage({ data: m }))
    }
    terminate() { this.terminated = true }
  }
  return { made, SharedWorker, Worker }
}

async function withGlobals(globals, fn) {
  const saved = Object.fromEntries(Object.keys(globals).map((k) => [k, globalThis[k]]))
  Object.assign(globalThis, globals)
  try { return await fn() } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete globalThis[k]; else globalThis[k] = v
  }
}

function hosted(host, opts) {
  globalThis.localStorage = storage()
  const b = new Bridge({
    db: 'db', defaults: '{}', host, sharedName: 'exponea 1 /x.wasm',
    hooks: { report() {}, configured() {}, restore: () => [] },
    compile: async () => ({ compiled: true }),
    runGo: async () => () => ({ apply() {} }),
    ...opts,
  })
  return b
}

// answerConfigure answers the configure the page handed over to w.
function answerConfigure(b, w) {
  const lines = w.posted.filter((m) => typeof m === 'string').join('\n').split('\n').map(fields)
  b.done(JSON.stringify([{ i: Number(lines[0][0]), v: { storage: 'indexeddb' } }]))
}

// startHosted starts b and answers the configure it hands the first worker
// made (f's), as a page's start does.
async function startHosted(b, f) {
  const ready = b.start('/x.wasm', '/w.js', () => '{"config":{}}')
  await new Promise((r) => setTimeout(r, 5))
  answerConfigure(b, f.made[0])
  await ready
}

test('the Go side runs in a SharedWorker by default, named for the SDK version, with an extended lifetime asked for; the page compiles nothing', async () => {
  const f = fakeWorkers()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    let compiled = 0
    const b = hosted('auto', { compile: async () => { compiled++ } })
    const ready = b.start('/x.wasm', '/w.js', () => '{"config":{}}')
    await new Promise((r) => setTimeout(r, 5))
    assert.equal(f.made.length, 1)
    const w = f.made[0]
    assert.equal(w.kind, 'sharedworker')
    assert.equal(w.name, 'exponea 1 /x.wasm')
    assert.equal(w.extendedLifetime, true)
    assert.deepEqual(w.posted[0], { t: 'open', db: 'db' }, 'the worker opens the database while the wasm compiles')
    assert.deepEqual(w.posted[1], { wasmUrl: '/x.wasm', webLocks: true }, 'no compiled module: a SharedWorker cannot be posted one; it outlives its pages, so it takes the Web Lock as well')
    assert.equal(compiled, 0, 'the page compiled nothing')
    answerConfigure(b, w)
    await ready
    assert.deepEqual(b.startup().host, 'sharedworker')
    assert.equal(b.startup().lifetime, 'extended')
    assert.equal(b.startup().hostReason, undefined)
    assert.equal(b.outlives(), true, 'a SharedWorker with an extended lifetime outlives the page')
    b.call('trackEvent', '{"name":"in the pagehide task"}') // not posted yet: it would be in the next task
    b.suspend() // pagehide
    const lines = w.posted.filter((m) => typeof m === 'string')
    assert.match(lines.at(-1), /in the pagehide task/, 'the call made in the pagehide task is handed to the worker')
    assert.deepEqual(w.posted.at(-1), { t: 'bye', drain: true }, 'the SharedWorker is told the page went, and to apply and send what it has')
    assert.equal(w.closed, true, 'and the port is closed')
  })
})

test('an engine that does not read extendedLifetime gives a SharedWorker whose lifetime is the page\'s', async () => {
  const f = fakeWorkers({ readsLifetime: false })
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const b = hosted('auto')
    await startHosted(b, f)
    assert.equal(b.startup().lifetime, 'page')
    assert.deepEqual(f.made[0].posted[1], { wasmUrl: '/x.wasm', webLocks: false }, 'no Web Lock in a SharedWorker that goes with its pages (Firefox keeps no page out of its cache for it)')
    assert.equal(b.outlives(), false, 'the page keeps its close path')
    b.call('trackEvent', '{"name":"late"}')
    b.suspend()
    assert.deepEqual(f.made[0].posted.at(-1), { t: 'bye', drain: false }, 'the worker drops what the page did not see answered: the close path sent it')
    assert.ok(!f.made[0].posted.some((m) => typeof m === 'string' && /late/.test(m)), 'nothing more is posted')
  })
})

test("a SharedWorker whose lifetime is the page's outlives a page while other pages keep it running: the page leaves its sends to it", async () => {
  const f = fakeWorkers({ readsLifetime: false })
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const b = hosted('auto')
    await startHosted(b, f)
    const w = f.made[0]
    const say = (m) => w.port.onmessage({ data: m })
    say({ t: 'peers', others: 1 })
    assert.equal(b.outlives(), true, 'another page keeps the worker running')
    say({ t: 'batch', ms: [{ t: 'peers', others: 0 }] })
    assert.equal(b.outlives(), false, 'the other page went: the page keeps its close path')
    say({ t: 'peers', others: 2 })
    b.call('trackEvent', '{"name":"in the pagehide task"}')
    b.suspend()
    assert.match(w.posted.filter((m) => typeof m === 'string').at(-1), /in the pagehide task/, 'the call made in the pagehide task is handed to the worker')
    assert.deepEqual(w.posted.at(-1), { t: 'bye', drain: true }, 'told to apply and send what the page has')
  })
})

test('a page tells its SharedWorker its tab, which the frames and pages of one tab share (sessionStorage)', async () => {
  const f = fakeWorkers({ readsLifetime: false })
  const session = storage()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker, sessionStorage: session }, async () => {
    hosted('auto').connect('sharedworker')
    hosted('auto').connect('sharedworker')
    const [a, b] = f.made.map((w) => w.posted[0])
    assert.equal(a.t, 'tab')
    assert.ok(a.id)
    assert.deepEqual(b, a, 'one tab')
  })
  const g = fakeWorkers({ readsLifetime: false })
  await withGlobals({ SharedWorker: g.SharedWorker, Worker: g.Worker, sessionStorage: { getItem() { throw new Error('denied') } } }, async () => {
    hosted('auto').connect('sharedworker')
    assert.equal(g.made[0].posted.length, 0, 'a page that cannot tell its tab says nothing')
  })
})

test('what a SharedWorker says of other pages before the start counts, and a new connection starts from none', async () => {
  const f = fakeWorkers({ readsLifetime: false })
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const b = hosted('auto')
    const asked = b.preconnect('/w.js', '/x.wasm')
    f.made[0].port.onmessage({ data: { t: 'peers', others: 1 } })
    await asked
    await startHosted(b, f)
    assert.equal(b.outlives(), true)
    b.suspend()
    b.connect('sharedworker')
    assert.equal(b.others, 0, 'a new worker says for itself')
  })
})

test('a SharedWorker that does not start falls back to a dedicated Worker, and startup says why', async () => {
  const f = fakeWorkers({ sharedFails: true })
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const b = hosted('auto')
    const warn = console.warn
    const warned = []
    console.warn = (m) => warned.push(m)
    try {
      const ready = b.start('/x.wasm', '/w.js', () => '{"config":{}}')
      await new Promise((r) => setTimeout(r, 10))
      assert.deepEqual(f.made.map((w) => w.kind), ['sharedworker', 'worker'])
      answerConfigure(b, f.made[1])
      await ready
    } finally { console.warn = warn }
    assert.equal(b.where, 'worker')
    assert.match(b.startup().hostReason, /the SharedWorker did not start \(refused\)/)
    assert.match(warned[0], /running in a dedicated Worker: the SharedWorker did not start/)
    assert.deepEqual(f.made[1].posted.slice(0, 2), [{ t: 'open', db: 'db' }, { wasmUrl: '/x.wasm', module: { compiled: true } }], 'the dedicated Worker gets the module compiled on the page')
    b.suspend()
    assert.equal(f.made[1].terminated, true, 'a dedicated Worker is terminated at pagehide')
  })
})

test('host: \'worker\' and an engine without SharedWorker run a dedicated Worker; host: \'page\' the page', async () => {
  for (const [host, globals, where, reason] of [
    ['worker', {}, 'worker', /asked for/],
    ['auto', { SharedWorker: undefined }, 'worker', /no SharedWorker/],
    ['page', {}, 'page', /asked for/],
  ]) {
    const f = fakeWorkers()
    await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker, ...globals }, async () => {
      const b = hosted(host)
      b.launch = (w) => { b.where = w }
      b.start('/x.wasm', '/w.js', () => '{"config":{}}')
      assert.equal(b.where, where, host)
      assert.match(b.startup().hostReason, reason)
    })
  }
})

// supervised starts a bridge in f's SharedWorker, and records the reports
// it makes and the restarts it would make instead of making them.
async function supervised(f) {
  const b = hosted('auto')
  const reports = []
  b.hooks.report = (k, d) => reports.push([k, d])
  await startHosted(b, f)
  const relaunched = []
  b.launch = (where) => relaunched.push(where)
  return { b, w: f.made[0], reports, relaunched }
}

test('a page whose SharedWorker answers from another instance (WebKit started it again) starts its SDK again there', async (t) => {
  const f = fakeWorkers()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const { b, w, reports, relaunched } = await supervised(f)
    b.call('trackEvent', '{"name":"a"}')
    await tick()
    w.pongAs = 'i2' // the engine swapped in a fresh worker, with no SDK for this page
    b.heard = Date.now() - 3000
    w.port.postMessage({ t: 'ping' })
    await new Promise((r) => setTimeout(r, 5))
    assert.match(reports.find(([k]) => k === 'error')[1].message, /the shared worker was started again/)
    await new Promise((r) => setTimeout(r, 300))
    assert.deepEqual(relaunched, ['sharedworker'], 'started again in a SharedWorker')
    clearTimeout(b.timer)
  })
})

test('a visible page with nothing outstanding pings a SharedWorker silent for 5 s, and starts it again when the ping goes unanswered (it died)', async (t) => {
  const f = fakeWorkers()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const { b, w, reports, relaunched } = await supervised(f)
    clearTimeout(b.timer) // the supervision start set, on the real clock
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1e12 })
    b.heard = Date.now()
    b.watch()
    const pings = () => w.posted.filter((m) => m && m.t === 'ping').length
    t.mock.timers.tick(5000)
    assert.equal(pings(), 0, 'not pinged within 5 s of silence')
    t.mock.timers.tick(1000)
    assert.equal(pings(), 1, 'pinged once silent for over 5 s')
    t.mock.timers.tick(0) // the pong
    assert.equal(b.heard, Date.now(), 'the pong is heard')
    t.mock.timers.tick(5000)
    assert.equal(pings(), 1, 'an answered ping: quiet again for 5 s')
    // The worker dies: nothing answers any more.
    w.port.postMessage = (m) => w.posted.push(m)
    t.mock.timers.tick(1000)
    assert.equal(pings(), 2)
    t.mock.timers.tick(4000)
    assert.equal(relaunched.length, 0, 'not given up within 4 s')
    t.mock.timers.tick(1000)
    assert.match(reports.find(([k]) => k === 'error')[1].message, /no answer from the worker/)
    t.mock.timers.tick(250)
    assert.deepEqual(relaunched, ['sharedworker'], 'started again in a SharedWorker')
  })
})

// worker.js takes a shown page silent for 20 s for gone (a crashed tab says
// nothing): a shown page tells it so, and posts at least every ~6 s, even
// while the worker talks to it.
test('a page tells its SharedWorker whether it is shown, and a shown page posts to it at least every 6 s though it hears from it', async (t) => {
  const f = fakeWorkers()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const { b, w } = await supervised(f)
    const shown = () => w.posted.filter((m) => m && m.t === 'shown').map((m) => m.visible)
    assert.deepEqual(shown(), [true], 'told as its SDK started')
    b.shown(false)
    b.shown(true)
    assert.deepEqual(shown(), [true, false, true], 'told of every change')
    clearTimeout(b.timer) // the supervision start set, on the real clock
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1e12 })
    b.heard = Date.now()
    b.sent = Date.now()
    b.watch()
    const pings = () => w.posted.filter((m) => m && m.t === 'ping').length
    for (let s = 0; s < 12; s++) {
      t.mock.timers.tick(1000)
      w.port.onmessage({ data: { t: 'done', text: '[]' } }) // the worker talks every second
      assert.equal(b.heard, Date.now())
    }
    assert.equal(pings(), 2, 'pinged every 6 s of not posting')
    clearTimeout(b.timer)
  })
})

test('a hidden page with nothing outstanding does not ping its worker', async (t) => {
  const f = fakeWorkers()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker, document: { visibilityState: 'hidden' } }, async () => {
    const b = hosted('auto')
    await startHosted(b, f)
    const w = f.made[0]
    clearTimeout(b.timer) // the supervision start set, on the real clock
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1e12 })
    b.heard = Date.now()
    b.watch()
    t.mock.timers.tick(60000)
    assert.equal(w.posted.filter((m) => m && m.t === 'ping').length, 0)
    clearTimeout(b.timer)
  })
})

test('preconnect asks the SharedWorker whether its Go program runs, joining it if it does, and the start uses that connection', async () => {
  for (const running of [true, false]) {
    const f = fakeWorkers()
    const Shared = class extends f.SharedWorker { constructor(...a) { super(...a); this.running = running } }
    await withGlobals({ SharedWorker: Shared, Worker: f.Worker }, async () => {
      const b = hosted('auto')
      assert.equal(await b.preconnect('/w.js', '/x.wasm'), running)
      const w = f.made[0]
      // The ready that answers the join comes before the start, which
      // must take it (a running worker ignores the start message after).
      await new Promise((r) => setTimeout(r, 5))
      const ready = b.start('/x.wasm', '/w.js', () => '{"config":{}}')
      await new Promise((r) => setTimeout(r, 5))
      assert.equal(f.made.length, 1, 'one connection: the start took the early one')
      const start = { wasmUrl: '/x.wasm', webLocks: true }
      assert.deepEqual(w.posted[0], { t: 'hello', join: start })
      assert.equal(w.startedBy, running ? 'hello' : 'start', running ? 'a running worker started the SDK on the question' : 'a worker not running started it on the start message')
      if (!running) assert.deepEqual(w.posted.slice(1, 3), [{ t: 'open', db: 'db' }, start])
      else assert.ok(!w.posted.slice(1).some((m) => m && m.wasmUrl), 'no start message after a join')
      answerConfigure(b, w)
      await ready
      assert.ok(w.posted.some((m) => typeof m === 'string' && m.includes('configure')), 'configure went to the SDK started')
      b.suspend()
    })
  }
  // A page that goes before its start ends the SDK its question started.
  {
    const f = fakeWorkers()
    const Shared = class extends f.SharedWorker { constructor(...a) { super(...a); this.running = true } }
    await withGlobals({ SharedWorker: Shared, Worker: f.Worker }, async () => {
      const b = hosted('auto')
      assert.equal(await b.preconnect('/w.js', '/x.wasm'), true)
      b.suspend() // pagehide
      const w = f.made[0]
      assert.deepEqual(w.posted.at(-1), { t: 'bye', drain: false }, 'the worker is told the page has gone')
      assert.ok(w.closed, 'and the port closed')
    })
  }
  const f = fakeWorkers()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    assert.equal(await hosted('worker').preconnect('/w.js'), false, 'a dedicated Worker is never running before the start')
    assert.equal(f.made.length, 0)
  })
})

test('a page leaving for the next page of the site keeps its held calls from a SharedWorker that outlives it: the next page sends them', async () => {
  const f = fakeWorkers()
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const b = hosted('auto')
    await startHosted(b, f)
    b.call('trackEvent', '{"name":"click"}')
    b.hold(10000) // the click's task navigates to a page of the site
    await tick()
    b.suspend()
    assert.ok(!f.made[0].posted.some((m) => typeof m === 'string' && /click/.test(m)), 'the held call is not posted')
    assert.deepEqual(f.made[0].posted.at(-1), { t: 'bye', drain: true })
    clearTimeout(b.held)
  })
})

test('a worker is told the reports the page listens for as it is connected and whenever they change, a worker connected again included', async () => {
  const f = fakeWorkers()
  const told = (w) => w.posted.filter((m) => m && m.t === 'reports').map((m) => m.kinds)
  await withGlobals({ SharedWorker: f.SharedWorker, Worker: f.Worker }, async () => {
    const quiet = hosted('auto')
    quiet.connect('sharedworker')
    assert.deepEqual(told(f.made[0]), [], 'a page that listens for none says nothing: the worker posts it none')
    const b = hosted('auto')
    b.setReports(['flush'])
    assert.equal(await b.preconnect('/w.js', '/x.wasm'), false)
    await startHosted(b, { made: f.made.slice(1) })
    const w = f.made[1]
    assert.deepEqual(told(w), [['flush']], 'told with the question, before the start')
    b.setReports(['flush'])
    b.setReports(['flush', 'drop'])
    b.setReports([])
    assert.deepEqual(told(w), [['flush'], ['flush', 'drop'], []], 'each change once')
    b.setReports(['error'])
    b.suspend()
    b.connect('sharedworker')
    assert.deepEqual(told(f.made[2]), [['error']], 'a new connection is told at once')
  })
})
