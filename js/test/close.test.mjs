// Unit tests of the loader's close path (node --test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planClose, built, CloseSender, KEEPALIVE_BUDGET } from '../src/close.js'
import { utf8Length } from '../src/rules.js'

const rec = (i, size) => {
  const body = `{"command_id":"${i}","pad":"${'x'.repeat(Math.max(0, size - 30))}"}`
  return { id: String(i), body, bytes: utf8Length(body) }
}

test('utf8Length counts UTF-8 bytes', () => {
  // A lone surrogate goes out as U+FFFD: three bytes.
  const cases = { '': 0, abc: 3, 'é': 2, '€': 3, '😀': 4, 'a\ud800b': 5, '\udc00\ud800': 6, 'x\ud83d': 4, '"\u0000"': 3 }
  for (const [s, n] of Object.entries(cases)) assert.equal(utf8Length(s), n, JSON.stringify(s))
})

test('a 200 KB backlog with 10 KiB in flight fills the rest of the budget, in order', () => {
  const recs = Array.from({ length: 200 }, (_, i) => rec(i, 1000))
  const reqs = planClose(recs, 10 * 1024)
  const total = reqs.reduce((a, r) => a + r.bytes, 0)
  assert.ok(total <= KEEPALIVE_BUDGET - 10 * 1024, `${total} bytes`)
  assert.ok(total > KEEPALIVE_BUDGET - 10 * 1024 - 1100, 'it uses what fits')
  const ids = reqs.flatMap((r) => r.ids)
  assert.deepEqual(ids, recs.slice(0, ids.length).map((r) => r.id))
  for (const r of reqs) {
    assert.equal(r.bytes, utf8Length(r.body))
    assert.deepEqual(JSON.parse(r.body).commands.map((c) => c.command_id), r.ids)
    assert.ok(r.ids.length <= 50)
  }
})

test('small records are chunked by 50 commands', () => {
  const reqs = planClose(Array.from({ length: 120 }, (_, i) => rec(i, 100)), 0)
  assert.deepEqual(reqs.map((r) => r.ids.length), [50, 50, 20])
})

test('nothing goes when the budget is used up, or the first record is too big', () => {
  assert.equal(planClose([rec(1, 100)], KEEPALIVE_BUDGET).length, 0)
  assert.equal(planClose([rec(1, 70000), rec(2, 100)], 0).length, 0)
  assert.equal(planClose([], 0).length, 0)
})

const call = (method, args, key, defaults = '{}') => ({ method, args: JSON.stringify(args), timeMs: 1764320000000, key, defaults })

test('calls not yet stored are built as the Go side stores them: ids merged on the way, refused calls skipped, stopping at anonymize', () => {
  const out = built([
    call('trackEvent', { name: 'a' }, 'k1'),
    call('identifyCustomer', { ids: { registered: 'x@y.z' } }, 'k2'),
    call('trackEvent', { name: '' }, 'k3'), // refused: not sent
    call('trackEvent', { name: 'b', properties: { p: 1 } }, 'k4', '{"app":"shop"}'),
    call('anonymize', undefined, 'k5'),
    call('trackEvent', { name: 'after' }, 'k6'),
  ], '{"cookie":"c"}', true)
  assert.deepEqual(out.map((r) => r.id), ['k1', 'k2', 'k4'])
  const last = JSON.parse(out[2].body)
  assert.deepEqual(last.data.customer_ids, { cookie: 'c', registered: 'x@y.z' })
  assert.deepEqual(last.data.properties, { app: 'shop', p: 1 })
  assert.equal(last.data.timestamp, 1764320000)
  for (const r of out) assert.equal(r.bytes, utf8Length(r.body))
})

test('close sends the stored records, then the unstored calls; reports what went; never twice while hidden', async () => {
  const sent = []
  globalThis.fetch = async (url, init) => {
    sent.push(JSON.parse(init.body).commands.map((c) => c.command_id))
    assert.equal(init.keepalive, true)
    return { status: 200, text: async () => '{"results":[]}' }
  }
  const answers = []
  const reported = []
  const c = new CloseSender({ answered: (o) => answers.push(o), sent: (ids) => reported.push(ids), allowDefaultCustomerProperties: true })
  c.url = 'http://x/batch?access_token=k'
  c.customerIds = '{"cookie":"c"}'
  c.stored(['1', '2', '3'].map((i) => `${i}\u001f${i}\u001f{"command_id":"${i}"}`).join('\n'))
  c.gone('2')
  const unstored = [call('trackEvent', { name: 'late' }, 'k9')]
  c.close(unstored)
  c.close(unstored) // pagehide, then visibilitychange: nothing twice
  assert.deepEqual(sent, [['1', '3', 'k9']])
  assert.deepEqual(reported, [['1', '3', 'k9']])
  await new Promise((r) => setTimeout(r, 0))
  assert.deepEqual(answers, [{ ids: ['1', '3', 'k9'], status: 200, body: '{"results":[]}' }])
  assert.equal(c.inFlight, 0)
  c.visible()
  c.close([])
  assert.deepEqual(sent[1], ['1', '3'], 'after the page was visible again, records not confirmed may go again')
})

test('a request still in flight when the page is shown again is not sent again at the next close', async () => {
  const sent = []
  let release
  globalThis.fetch = (url, init) => {
    sent.push(JSON.parse(init.body).commands.map((c) => c.command_id))
    return new Promise((r) => { release = () => r({ status: 200, text: async () => '{}' }) })
  }
  const c = new CloseSender({ answered() {}, sent() {}, allowDefaultCustomerProperties: true })
  c.url = 'http://x/batch'
  c.stored('1\u001fa\u001f{"command_id":"a"}')
  c.close()
  c.visible() // a tab switch and back, the request not answered yet
  c.close()
  assert.deepEqual(sent, [['a']])
  release()
  await new Promise((r) => setTimeout(r, 0))
  c.close()
  assert.deepEqual(sent, [['a']], 'still hidden since it settled')
  c.visible()
  c.close() // settled, shown and hidden again: not confirmed, so it may go again
  assert.deepEqual(sent, [['a'], ['a']])
})

test('kept hands a Go side started again the copy and what is still in flight; what it says is gone leaves', async () => {
  let release
  globalThis.fetch = () => new Promise((r) => { release = () => r({ status: 200, text: async () => '{}' }) })
  const c = new CloseSender({ answered() {}, sent() {}, allowDefaultCustomerProperties: true })
  c.url = 'http://x/batch'
  assert.equal(c.kept(), '', 'nothing held: configure carries nothing more')
  c.stored(['1\u001fa\u001f{"command_id":"a"}', '2\u001fb\u001f{"command_id":"b"}'].join('\n'))
  c.close() // hidden into the back/forward cache: a and b in flight
  c.visible()
  assert.deepEqual(JSON.parse(`{"x":0${c.kept()}}`), { x: 0, kept: ['a', 'b'], inFlight: ['a', 'b'] })
  release()
  await new Promise((r) => setTimeout(r, 0))
  c.gone('b') // the Go side: sent by another page meanwhile
  assert.deepEqual(JSON.parse(`{"x":0${c.kept()}}`), { x: 0, kept: ['a'] })
})
