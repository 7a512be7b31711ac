// Storage limits and storage failures: a bounded queue with drop reports,
// and an in-memory queue when IndexedDB cannot be opened.
import assert from 'node:assert/strict'
import { test, env, config, open } from './harness.mjs'

test('a full queue evicts the oldest events with drop reports; identify records stay', async (t) => {
  const { pages, collector, browser } = await env(t)
  const ctx = await browser.newContext()
  const page = await open(ctx, pages, config(collector, { flushMode: 'manual', maxQueueRecords: 20, automaticSessionTracking: false }))
  const stats = await page.evaluate(async () => {
    window.drops = []
    exponea.on('drop', (e) => window.drops.push(e))
    await exponea.identifyCustomer({ ids: { registered: 'kept@example.com' } })
    for (let i = 0; i < 50; i++) await exponea.trackEvent({ name: 'full', properties: { seq: i } })
    return exponea.getStats()
  })
  assert.equal(stats.length, 20)
  assert.equal(stats.dropped, 32, 'installation + 31 oldest events')
  const drops = await page.waitFor(() => window.drops.length === 32 && window.drops, undefined, { what: '32 drop reports' })
  assert.ok(drops.every((d) => d.kind === 'event' && /queue full/.test(d.reason)), JSON.stringify(drops[0]))
  await page.evaluate(() => exponea.flushData())
  const seqs = (await collector.events('event_type=full')).map((e) => e.properties.seq)
  assert.deepEqual(seqs, Array.from({ length: 19 }, (_, i) => 31 + i), 'the newest 19 events arrive')
  assert.equal((await collector.customers()).length, 1, 'the identify record is never evicted before events')
})

for (const where of ['sharedworker', 'worker', 'page']) {
  test(`IndexedDB unavailable (${where}): a memory queue with a warning, and tracking still works`, async (t) => {
    const { pages, collector, browser } = await env(t)
    const page = await open(await browser.newContext(), pages, null, { prelude: ['no-idb'] })
    const extra = where === 'page' ? { host: 'page' } : { workerUrl: '/no-idb-worker.js', host: where }
    const got = await page.evaluate(async (cfg) => {
      const { Exponea } = await import('/dist/exponea.mjs')
      window.exponea = await Exponea.configure(cfg)
      await exponea.trackEvent({ name: 'in_memory' })
      return { storage: exponea.storage, runsIn: exponea.runsIn }
    }, config(collector, extra))
    assert.deepEqual(got, { storage: 'memory', runsIn: where })
    const warnings = (await page.console()).filter((m) => m.type === 'warning').map((m) => m.text)
    assert.ok(warnings.some((w) => /IndexedDB is unavailable/.test(w)), warnings.join('\n'))
    await collector.waitFor(async () => (await collector.events('event_type=in_memory')).length === 1, { what: 'event' })
  })
}

test('without Worker support the SDK runs on the page', async (t) => {
  const { pages, collector, browser } = await env(t)
  const page = await open(await browser.newContext(), pages, config(collector), { prelude: ['no-worker'] })
  assert.equal(await page.evaluate(() => exponea.runsIn), 'page')
  await page.evaluate(() => exponea.trackEvent({ name: 'on_page' }))
  await collector.waitFor(async () => (await collector.events('event_type=on_page')).length === 1, { what: 'event' })
})
