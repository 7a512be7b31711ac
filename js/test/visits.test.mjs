// Unit tests of page visits (js/src/visits.js), their configuration
// (rules.js) and the visits of pages that closed before the SDK arrived
// (snippet-adopt.js), under Node.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { visitProperties, Routes, watchRoutes, CAMPAIGN } from '../src/visits.js'
import { checkConfig } from '../src/rules.js'
import { adoptSnippets } from '../src/snippet-adopt.js'

test('a visit carries location, path, title, referrer and the campaign parameters the URL has, by Bloomreach\'s names', () => {
  const cases = [
    [{ href: 'https://shop.example/a/b?x=1', referrer: '', title: 'B' },
      { location: 'https://shop.example/a/b?x=1', path: '/a/b', title: 'B', referrer: '' }],
    [{ href: 'https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=top&gclid=g1&fbclid=f1#top', referrer: 'https://search.example/?q=shoes', title: 'Shop' },
      {
        location: 'https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=top&gclid=g1&fbclid=f1#top',
        path: '/', title: 'Shop', referrer: 'https://search.example/?q=shoes',
        utm_source: 'news', utm_medium: 'email', utm_campaign: 'spring', utm_term: 'shoes', utm_content: 'top', gclid: 'g1', fbclid: 'f1',
      }],
    // Decoded; the first of a repeated parameter; an empty one is there, empty.
    [{ href: 'https://shop.example/p%C3%A9?utm_source=a%20b&utm_source=c&utm_medium=', referrer: undefined, title: undefined },
      { location: 'https://shop.example/p%C3%A9?utm_source=a%20b&utm_source=c&utm_medium=', path: '/p%C3%A9', title: '', referrer: '', utm_source: 'a b', utm_medium: '' }],
  ]
  for (const [page, want] of cases) assert.deepEqual(visitProperties(page), want, page.href)
  assert.deepEqual(CAMPAIGN, ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid', 'fbclid'])
})

test('a route is new when the URL changes; the fragment counts only with hashes; the referrer is the last route\'s URL', () => {
  const steps = [
    // [href, want (the previous route, or null), want with hashes]
    ['https://s.example/a', null, null], // the same URL (replaceState keeping it)
    ['https://s.example/a#x', null, 'https://s.example/a'], // an anchor
    ['https://s.example/b', 'https://s.example/a', 'https://s.example/a#x'],
    ['https://s.example/b?q=1', 'https://s.example/b', 'https://s.example/b'],
    ['https://s.example/b?q=1', null, null],
    ['https://s.example/a', 'https://s.example/b?q=1', 'https://s.example/b?q=1'], // back
  ]
  const plain = new Routes('https://s.example/a')
  const hashes = new Routes('https://s.example/a', { hashes: true })
  for (const [href, want, wantHashes] of steps) {
    assert.equal(plain.change(href), want, href)
    assert.equal(hashes.change(href), wantHashes, `${href} (hashes)`)
  }
})

// fakeWindow is a page's window as watchRoutes sees it: location, history
// (pushState and replaceState set the URL), and, with navigation, the
// Navigation API's currententrychange after each of them.
function fakeWindow({ navigation = false } = {}) {
  const win = new EventTarget()
  win.location = { href: 'https://s.example/' }
  const entries = [win.location.href]
  const set = (url) => {
    win.location.href = new URL(url, win.location.href).href
    if (navigation) win.navigation.dispatchEvent(new Event('currententrychange'))
  }
  win.history = {
    pushState(_s, _t, url) { entries.push(url); set(url) },
    replaceState(_s, _t, url) { set(url) },
  }
  if (navigation) win.navigation = new EventTarget()
  // back: popstate (and, for a new fragment, hashchange) where there is no
  // Navigation API; currententrychange where there is.
  win.back = () => {
    entries.pop()
    const before = win.location.href
    win.location.href = new URL(entries.at(-1), before).href
    if (navigation) return win.navigation.dispatchEvent(new Event('currententrychange'))
    win.dispatchEvent(new Event('popstate'))
    if (before.replace(/#.*/, '') === win.location.href.replace(/#.*/, '')) win.dispatchEvent(new Event('hashchange'))
  }
  return win
}

for (const navigation of [true, false]) {
  test(`route changes, ${navigation ? 'from the Navigation API' : 'from history and popstate (no Navigation API)'}: one visit each, none for the same URL, the previous route as referrer`, () => {
    const win = fakeWindow({ navigation })
    const seen = []
    const how = watchRoutes((href, referrer) => seen.push([href, referrer]), { win })
    assert.equal(how, navigation ? 'navigation' : 'history')
    win.history.pushState({}, '', '/a')
    win.history.replaceState({ more: 1 }, '', '/a') // the same URL: no visit
    win.history.pushState({}, '', '/a#details') // an anchor: no visit without hashes
    win.history.pushState({}, '', '/b?x=1')
    win.back()
    win.back()
    win.history.replaceState({}, '', '/c')
    assert.deepEqual(seen, [
      ['https://s.example/a', 'https://s.example/'],
      ['https://s.example/b?x=1', 'https://s.example/a'], // the last route, as its visit had it
      ['https://s.example/a#details', 'https://s.example/b?x=1'],
      ['https://s.example/c', 'https://s.example/a#details'],
    ])
  })

  test(`hash changes are routes when asked (${navigation ? 'Navigation API' : 'history'}), once each`, () => {
    const win = fakeWindow({ navigation })
    const seen = []
    watchRoutes((href) => seen.push(href), { win, hashes: true })
    win.history.pushState({}, '', '#/cart')
    win.history.pushState({}, '', '#/pay')
    win.back() // popstate and hashchange both: one visit
    assert.deepEqual(seen, ['https://s.example/#/cart', 'https://s.example/#/pay', 'https://s.example/#/cart'])
  })
}

test('configure: trackPageVisits is true, false or \'spa\', trackHashChanges a boolean; anything else throws naming the field', () => {
  const base = { projectToken: 't' }
  assert.equal(checkConfig(base).trackPageVisits, false, 'off by default')
  for (const v of [true, false, 'spa']) assert.equal(checkConfig({ ...base, trackPageVisits: v }).trackPageVisits, v)
  assert.equal(checkConfig({ ...base, trackPageVisits: 'spa', trackHashChanges: true }).trackHashChanges, true)
  const bad = [
    [{ trackPageVisits: 'yes' }, RangeError, "configure: trackPageVisits must be true, false or 'spa'"],
    [{ trackPageVisits: 1 }, TypeError, "configure: trackPageVisits must be true, false or 'spa'"],
    [{ trackPageVisits: {} }, TypeError, "configure: trackPageVisits must be true, false or 'spa'"],
    [{ trackHashChanges: 'no' }, TypeError, 'configure: trackHashChanges must be a boolean'],
  ]
  for (const [cfg, cls, message] of bad) assert.throws(() => checkConfig({ ...base, ...cfg }), (e) => e instanceof cls && e.message === message, JSON.stringify(cfg))
})

// withStorage runs fn with a localStorage holding items.
function withStorage(items, fn) {
  const map = new Map(Object.entries(items))
  const s = {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
  }
  const proxy = new Proxy(s, { ownKeys: () => [...map.keys()], getOwnPropertyDescriptor: (_, k) => (map.has(k) ? { enumerable: true, configurable: true, value: map.get(k) } : undefined) })
  const had = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')
  Object.defineProperty(globalThis, 'localStorage', { value: proxy, configurable: true })
  try {
    fn()
  } finally {
    if (had) Object.defineProperty(globalThis, 'localStorage', had)
    else delete globalThis.localStorage
  }
  return map
}

test('a page that closed before the SDK arrived: the next page tracks its visit (its URL, referrer and title, at configure\'s time, under the stub\'s id) and its calls', () => {
  const calls = []
  const client = { _replay: (method, args, opts) => { calls.push([method, args, opts]); return Promise.resolve() } }
  const page = ['https://s.example/landing?utm_source=ad', 'https://ads.example/', 'Landing']
  const left = withStorage({
    'exponea:s:1': JSON.stringify({ p: page, q: [['configure', [{ projectToken: 't', trackPageVisits: true }], 1000, 'k-visit'], ['trackEvent', [{ name: 'e' }], 1001, 'k-e'], ['trackPageVisit', [{ x: 1 }], 1002, 'k-v'], ['setFlushMode', ['manual'], 1003, 'k-f']] }),
    'exponea:s:2': JSON.stringify({ p: page, q: [['configure', [{ projectToken: 't' }], 2000, 'k2'], ['trackEvent', [{ name: 'f' }], 2001, 'k-f2']] }), // no visits
    'exponea:s:3': JSON.stringify([['configure', [{ projectToken: 't', trackPageVisits: 'spa' }]], ['trackPageVisit', [], 3001, 'k-old']]), // an older snippet's: no page
    'exponea:s:4': JSON.stringify({ p: page, q: [['configure', [{ projectToken: 'other', trackPageVisits: true }], 4000, 'k4']] }), // another project's
  }, () => adoptSnippets('exponea:t', client))
  const p = { href: page[0], referrer: page[1], title: page[2] }
  assert.deepEqual(calls, [
    ['trackPageVisit', [], { time: 1000, key: 'k-visit', page: p }],
    ['trackEvent', [{ name: 'e' }], { time: 1001, key: 'k-e', page: p }],
    ['trackPageVisit', [{ x: 1 }], { time: 1002, key: 'k-v', page: p }],
    ['trackEvent', [{ name: 'f' }], { time: 2001, key: 'k-f2', page: p }],
  ])
  assert.deepEqual([...left.keys()], ['exponea:s:4'], 'each taken once; another project\'s left')
})
