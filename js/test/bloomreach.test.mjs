// Unit tests of the Bloomreach drop-in's start options (js/src/bloomreach.js).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startConfig, bloomreachFacade } from '../src/bloomreach.js'

test('start: Bloomreach\'s options become this SDK\'s configuration; the ones it ignores are named', () => {
  const cases = [
    [{ token: 't', target: 'https://c.example', customer: 'a@b.c', track: { default_properties: { app: 'shop' } }, flushMode: 'manual' },
      { config: { projectToken: 't', baseUrl: 'https://c.example', defaultProperties: { app: 'shop' }, flushMode: 'manual' }, customer: 'a@b.c', ignored: [] }],
    // visits, top level or in track: every page, and every URL change (spa_reloading is on by default, fragments included)
    [{ token: 't', visits: true }, { config: { projectToken: 't', trackPageVisits: 'spa', trackHashChanges: true }, customer: undefined, ignored: [] }],
    [{ token: 't', track: { visits: true } }, { config: { projectToken: 't', trackPageVisits: 'spa', trackHashChanges: true }, customer: undefined, ignored: [] }],
    [{ token: 't', visits: true, spa_reloading: { enabled: false } }, { config: { projectToken: 't', trackPageVisits: true }, customer: undefined, ignored: [] }],
    [{ token: 't', visits: true, spa_reloading: false }, { config: { projectToken: 't', trackPageVisits: true }, customer: undefined, ignored: [] }],
    [{ token: 't', visits: false, spa_reloading: { enabled: true } }, { config: { projectToken: 't' }, customer: undefined, ignored: [] }],
    // this SDK's own fields win
    [{ token: 't', visits: true, trackPageVisits: true }, { config: { projectToken: 't', trackPageVisits: true }, customer: undefined, ignored: [] }],
    [{ token: 't', ping: { enabled: true }, compliance: {}, track: { visits: true, google_analytics: false }, spa_reloading: { track_visited_pages: true } },
      { config: { projectToken: 't', trackPageVisits: 'spa', trackHashChanges: true }, customer: undefined, ignored: ['ping', 'compliance', 'track.google_analytics', 'spa_reloading.track_visited_pages'] }],
  ]
  for (const [options, want] of cases) assert.deepEqual(startConfig(options), want, JSON.stringify(options))
  assert.throws(() => startConfig({ token: 't', visits: 'yes' }), { name: 'TypeError', message: 'exponea.start: visits must be a boolean' })
  assert.throws(() => startConfig({ token: 't', spa_reloading: 1 }), { name: 'TypeError', message: 'exponea.start: spa_reloading must be an object or a boolean' })
})

test('start: an ignored option is reported once, in a console warning', (t) => {
  const warnings = []
  t.mock.method(console, 'warn', (m) => warnings.push(m))
  const configs = []
  const fake = { configure: (c) => { configs.push(c); return { identifyCustomer: () => Promise.resolve() } } }
  const exponea = bloomreachFacade(fake)
  exponea.start({ token: 't', ping: { enabled: true } })
  exponea.start({ token: 't', ping: { enabled: true }, new_experiments: true })
  exponea.start({ token: 't', ping: { enabled: true }, new_experiments: true })
  assert.deepEqual(warnings, [
    '[exponea] exponea.start: ignored, not supported by this SDK: ping (see the README, "Coming from Bloomreach\'s web snippet")',
    '[exponea] exponea.start: ignored, not supported by this SDK: new_experiments (see the README, "Coming from Bloomreach\'s web snippet")',
  ])
  assert.equal(configs.length, 3)
})
