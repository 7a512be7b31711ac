// A visit to a site of many pages (pages/site.html), walked in one tab the
// ways a visitor walks it: the browser's address bar (goto), a button whose
// handler tracks and navigates in one task, a link, a form, back and
// forward, a reload. Every page configures the SDK alike; each navigation a
// visitor makes from a page tracks a `walk` event in the same task. Used by
// e2e/visit.test.mjs and the reliability suite's walk scenarios.

// Walk drives one tab (page) through the site served at pagesUrl, with the
// SDK configured by cfg on every page.
export class Walk {
  // opts: {event, seqBase}, for site.html (the walk events' type and the
  // first seq).
  constructor(page, pagesUrl, cfg, id, opts = {}) {
    this.page = page
    this.id = id
    this.pagesUrl = pagesUrl
    this.cfg = cfg
    this.opts = opts
    const extra = Object.entries(opts).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('')
    this.base = `${pagesUrl}/site.html?cfg=${encodeURIComponent(JSON.stringify(cfg))}&walk=${encodeURIComponent(id)}${extra}`
    this.n = 0
    this.pages = [] // every page arrived at: {n, how, readyAt, error, restored, ...}
    this.clicks = 0 // walk events tracked right before a navigation
  }

  url(n) { return `${this.base}&n=${n}` }

  // withConfig returns the same walk in the same tab, on pages that
  // configure the SDK with cfg.
  withConfig(cfg) {
    const w = new Walk(this.page, this.pagesUrl, cfg, this.id, this.opts)
    w.n = this.n
    w.clicks = this.clicks
    w.pages = this.pages
    return w
  }

  // state reads the page's window.site, or null while there is none (the
  // page is navigating).
  async state() {
    try {
      return await this.page.evaluate(() => window.site && {
        n: site.n, readyAt: site.readyAt, error: site.error, shows: site.shows, tracked: site.tracked.length, reports: site.reports,
        runsIn: exponea.runsIn, startup: exponea.startup,
      })
    } catch {
      return null
    }
  }

  // arrive waits until page n of the walk is shown — restored from the
  // back/forward cache, or loaded and its SDK ready or failed — and
  // records it.
  async arrive(n, how, { timeout = 20000, restored = false } = {}) {
    const end = Date.now() + timeout
    let s = null
    for (;;) {
      s = await this.state()
      const here = s && s.n === n
      if (here && restored && s.shows.length > 1) break // shown again, from the cache
      if (here && !restored && s.shows.length === 1 && (s.readyAt !== null || s.error !== null)) break
      if (here && restored && s.shows.length === 1 && (s.readyAt !== null || s.error !== null)) break // loaded again: not from the cache
      if (Date.now() > end) {
        const p = { n, how, readyAt: null, error: `page ${n} (${how}) not ready in ${timeout} ms: ${JSON.stringify(s)}`, restored: false }
        this.pages.push(p)
        return p
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    const p = { n, how, readyAt: s.readyAt, error: s.error, restored: s.shows.length > 1, runsIn: s.runsIn, reports: s.reports }
    this.pages.push(p)
    this.n = n
    return p
  }

  async goto(n) {
    await this.page.goto(this.url(n))
    return this.arrive(n, 'goto')
  }

  // The page's own navigations: each tracks a walk event in the task that
  // navigates (not awaited, as a click handler does).
  async button() { return this.from('#go', 'button') }
  async link() { return this.from('#link', 'link') }
  async form() { return this.from('#submit', 'form') }

  async from(selector, how) {
    const n = this.n
    await this.page.click(selector)
    this.clicks++
    return this.arrive(n + 1, how)
  }

  // back and forward expect the page to come from the back/forward cache
  // where the engine keeps it (arrive records whether it did).
  async back() {
    await this.page.back()
    return this.arrive(this.n - 1, 'back', { restored: true })
  }

  async forward() {
    await this.page.forward()
    return this.arrive(this.n + 1, 'forward', { restored: true })
  }

  // reload reloads from the page (history.go(0)), as the browser's button
  // does; Puppeteer's reload of a page restored from the cache never ends
  // in Firefox.
  async reload() {
    await this.page.evaluate(() => { window.__walkOld = true })
    await this.page.traverse(0)
    await this.page.waitFor(() => !window.__walkOld, undefined, { what: 'the reloaded document', navigating: true })
    return this.arrive(this.n, 'reload')
  }

  // settle waits until the page's queue is empty (everything tracked so
  // far delivered), as when a visitor reads a page before moving on.
  settle(timeout = 15000) {
    return this.page.waitFor(async () => (await exponea.getQueueLength()) === 0, undefined, { timeout, what: `page ${this.n}'s queue delivered` })
  }

  // track tracks a walk event on the page now (not right before a
  // navigation) and waits until it is stored.
  track(props) {
    return this.page.evaluate((p) => exponea.trackEvent({ name: 'walk', properties: { walk: site.walk, ...p } }), props)
  }
}

// percentile returns the p-th percentile (0-100) of xs (nearest rank).
export function percentile(xs, p) {
  if (!xs.length) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}
