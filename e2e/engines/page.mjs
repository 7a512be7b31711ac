// What every engine's page shares: evaluate with a JSON answer, and the
// readers of what the pages' observer (e2e/pages/observe.js) recorded.
// An engine's page implements run(expression) → the expression's value, a
// string, plus goto, reload, close, isClosed, click(selector) and
// select(selector, value) (real input: a click as a user makes it).

export class Page {
  constructor(engine) { this.engine = engine }

  // evaluate runs fn(arg) in the page, awaits it, and returns its value
  // through JSON (so every engine returns the same: undefined for
  // undefined, plain objects and arrays, no class instances). A throw in
  // the page rejects with an Error naming the engine and the error.
  async evaluate(fn, arg) {
    const call = `(${fn})(${arg === undefined ? '' : JSON.stringify(arg)})`
    const expr = `(async () => ${call})().then((v) => JSON.stringify({ v }), (e) => JSON.stringify({ e: String(e && e.message !== undefined ? e.message : e), n: e && e.name }))`
    const out = JSON.parse(await this.run(expr))
    if ('e' in out) throw new Error(`${this.engine}: in the page: ${out.n ? out.n + ': ' : ''}${out.e}`)
    return out.v
  }

  // back and forward traverse the tab's history as the browser's buttons
  // do, without waiting for a load: a page restored from the back/forward
  // cache fires none (pageshow with persisted instead), and the drivers'
  // own back commands wait for one.
  back() { return this.traverse(-1) }
  forward() { return this.traverse(1) }
  traverse(delta) { return this.run(`(setTimeout(() => history.go(${delta}), 0), '"ok"')`) }

  // waitFor polls fn(arg) in the page until it returns a truthy value,
  // which it returns, or the time is up. With navigating, a poll that
  // fails (the document it ran in went away) counts as not yet.
  async waitFor(fn, arg, { timeout = 10000, interval = 50, what = String(fn), navigating = false } = {}) {
    const end = Date.now() + timeout
    for (;;) {
      const v = await (navigating ? this.evaluate(fn, arg).catch(() => false) : this.evaluate(fn, arg))
      if (v) return v
      if (Date.now() > end) throw new Error(`${this.engine}: timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, interval))
    }
  }

  // observed returns what the observer recorded on this page: requests,
  // console (warnings and errors) and errors (uncaught), of the page and
  // its Workers. It throws if the page has no observer, so a test that
  // looks for "no request" can never pass for want of one.
  async observed() {
    const o = await this.evaluate(() => window.__e2e || null)
    if (!o) throw new Error(`${this.engine}: the page has no observer (e2e/pages/observe.js); was it served by startPages?`)
    return o
  }

  // requests: every fetch of the page and its Workers, oldest first, as
  // {id, at (ms since the epoch), url, method, keepalive, where ('page' or
  // 'worker'), status (null until answered), error (a network error),
  // answeredAt}.
  async requests() { return (await this.observed()).requests }

  // console: [{type ('warning', 'error', or 'log' for the SDK's [exponea]
  // debug lines), text, where}].
  async console() { return (await this.observed()).console }

  // errors: uncaught exceptions and unhandled rejections, [{message, where}].
  async errors() { return (await this.observed()).errors }
}

// LibraryPage is the page of an engine driven through a library whose
// page object has evaluate, goto, reload, close({runBeforeUnload}) and
// isClosed: Playwright's (Chromium) and Puppeteer's (Firefox) alike.
export class LibraryPage extends Page {
  constructor(engine, page) {
    super(engine)
    this.page = page
  }

  run(expr) { return this.page.evaluate(expr) }
  async goto(url) { await this.page.goto(url) }
  // click clicks the element that selector finds, as a user does (the
  // engine's input events), once it is there.
  async click(selector) {
    await this.page.waitForSelector(selector)
    await this.page.click(selector)
  }

  // select picks the option of value in the <select> that selector finds.
  async select(selector, value) {
    await this.page.waitForSelector(selector)
    await (this.page.selectOption ? this.page.selectOption(selector, value) : this.page.select(selector, value))
  }

  async reload() { await this.page.reload() }

  // close closes the tab now: no beforeunload, as when the user closes it.
  close() { return this.page.close({ runBeforeUnload: false }) }
  isClosed() { return this.page.isClosed() }
}
