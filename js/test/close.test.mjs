// Unit tests of the loader's close-path planning (node --test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planClose, utf8Length, CloseSender, KEEPALIVE_BUDGET } from '../src/close.js'

const rec = (i, size) => {
  const body = `{"command_id":"${i}","pad":"${'x'.repeat(Math.max(0, size - 30))}"}`
  return { id: String(i), body, bytes: utf8Length(body) }
}

test('utf8Length counts UTF-8 bytes', () => {
  for (const s of ['', 'abc', 'é', '€', '😀', 'a\ud800b', '\udc00\ud800', 'x\ud83d']) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s))
  }
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

test('the mirror follows stored and gone, and close skips what was sent', async () => {
  const sent = []
  globalThis.fetch = async (url, init) => {
    sent.push(JSON.parse(init.body).commands.map((c) => c.command_id))
    assert.equal(init.keepalive, true)
    return { status: 200, text: async () => '{"results":[]}' }
  }
  const reports = []
  const c = new CloseSender((o) => reports.push(o))
  c.url = 'http://x/batch?access_token=k'
  c.stored(['1', '2', '3'].map((i) => `${i}\u001f${i}\u001f{"command_id":"${i}"}`).join('\n'))
  c.gone('2')
  c.close()
  c.close() // pagehide, then visibilitychange: nothing twice
  assert.deepEqual(sent, [['1', '3']])
  await new Promise((r) => setTimeout(r, 0))
  assert.deepEqual(reports, [{ ids: ['1', '3'], status: 200, body: '{"results":[]}' }])
  assert.equal(c.inFlight, 0)
  c.visible()
  c.close()
  assert.deepEqual(sent, [['1', '3'], ['1', '3']], 'after the page was visible again, unconfirmed records go again')
})
