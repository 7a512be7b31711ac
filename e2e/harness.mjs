// Test harness: the real collector (built by `make collector`) on one
// loopback port, the test pages and dist/ on another, so every request the
// SDK makes is cross-origin as in production, and a browser engine from
// Debian's packages behind one small interface (engines/index.mjs), picked
// by $ENGINE: chromium (default), firefox or webkit.
import { test as nodeTest, after } from 'node:test'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, extname, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { load } from './engines/index.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
export const TOKEN = 'e2e'
export const KEY = 'e2e-public-key'

// engine is the engine of this run ($ENGINE).
export const engine = await load(process.env.ENGINE || 'chromium')

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' }

// startPages serves e2e/pages at /, dist/ at /dist/ and web/examples at
// /examples/ (as `make demo` does). Every HTML page
// gets the observer (pages/observe.js) as its first script, then the
// preludes named by ?prelude=a,b (pages/preludes/a.js, ...), which stand in
// for init scripts (a page without IndexedDB or Worker). ?delay=ms holds
// any file that long, for tests of slow loads without request interception;
// /image.svg?kb=n is an image of about n KB.
// A Content-Security-Policy: ?csp=policy sends it with that response only
// (a policy on the page alone); setting the returned object's csp sends it
// with every response from then on (a site-wide policy, which reaches the
// Worker: a Worker gets the policy of its own script's response).
export async function startPages() {
  const site = { csp: '' }
  const server = createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x')
    const path = normalize(decodeURIComponent(u.pathname))
    const file = path.startsWith('/dist/') ? join(root, path)
      : path.startsWith('/examples/') ? join(root, 'web', path.endsWith('/') ? path + 'index.html' : path)
      : join(root, 'e2e/pages', path === '/' ? 'index.html' : path)
    const delay = Number(u.searchParams.get('delay')) || 0
    if (delay > 0) await new Promise((r) => setTimeout(r, Math.min(delay, 60000)))
    if (path === '/image.svg') { // ?kb=n: an image of about n KB, the page's main content
      const kb = Math.min(Number(u.searchParams.get('kb')) || 1, 4096)
      res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' })
      return res.end(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><!--${'x'.repeat(kb * 1024)}--><rect width="40" height="30" fill="#c60"/></svg>`)
    }
    try {
      let body = await readFile(file)
      if (extname(file) === '.html') body = withObserver(body, (u.searchParams.get('prelude') || '').split(','))
      const headers = { 'Content-Type': types[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' }
      const csp = u.searchParams.get('csp') || site.csp
      if (csp) headers['Content-Security-Policy'] = csp
      res.writeHead(200, headers)
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${server.address().port}`
  return Object.assign(site, { url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) }) })
}

// withObserver returns the HTML page html with the observer, then the
// preludes named, as the first scripts of its head.
export function withObserver(html, preludes = []) {
  const names = preludes.filter((n) => /^[a-z0-9-]+$/.test(n))
  const scripts = ['/observe.js', ...names.map((n) => `/preludes/${n}.js`)].map((s) => `<script src="${s}"></script>`).join('')
  return String(html).replace(/<head[^>]*>/i, (m) => m + scripts)
}

// Collector runs build/collector with a SQLite file in a temp dir. start()
// may be called again after stop() to bring it back on the same port with
// the same database, as after an outage.
// flags replaces the tracking credentials of the tests (-keys, -projects);
// cwd is where the collector runs (its -static folders are relative to it).
export class Collector {
  constructor({ origin, faults = true, port = 0, extra = [], flags = ['-keys', KEY, '-projects', TOKEN], cwd = root } = {}) {
    this.origin = origin
    this.faults = faults
    this.port = port
    this.extra = extra
    this.flags = flags
    this.cwd = cwd
  }

  async start() {
    this.dir ??= await mkdtemp(join(tmpdir(), 'e2e-collector-'))
    const args = ['-addr', `127.0.0.1:${this.port}`, '-db', join(this.dir, 'c.db'), ...this.flags, ...this.extra]
    if (this.origin) args.push('-origins', this.origin)
    if (this.faults) args.push('-faults')
    this.proc = spawn(join(root, 'build/collector'), args, { cwd: this.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    this.proc.stderr.on('data', (d) => { stderr += d })
    this.url = await new Promise((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`collector did not start: ${stderr}`)), 10000)
      this.proc.stdout.on('data', (d) => {
        out += d
        const m = out.match(/collector listening on (http:\/\/\S+)/)
        if (m) { clearTimeout(timer); resolve(m[1]) }
      })
      this.proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`collector exited ${code}: ${stderr}`)) })
    })
    this.port = Number(new URL(this.url).port)
    return this
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return
    const exited = new Promise((r) => this.proc.once('exit', r))
    this.proc.kill('SIGTERM')
    await exited
  }

  // kill ends the collector with SIGKILL, as a crash or the OOM killer
  // would (no graceful shutdown), then, after downMs, starts it again on
  // the same port with the same database.
  async kill({ downMs = 0 } = {}) {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r))
      this.proc.kill('SIGKILL')
      await exited
    }
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs))
    return this.start()
  }

  // running tells whether the collector process is alive.
  running() { return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null }

  async close() {
    await this.stop()
    if (this.dir) await rm(this.dir, { recursive: true, force: true })
  }

  async get(path) {
    const res = await fetch(this.url + path)
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
    return res.json()
  }

  async events(query = '') { return (await this.get(`/api/events?limit=10000&${query}`)).events }
  async customers(query = '') { return (await this.get(`/api/customers?limit=10000&${query}`)).customers }
  stats() { return this.get('/api/stats') }

  async fault(rule) {
    const res = await fetch(this.url + '/api/faults', { method: 'POST', headers: { 'X-Collector-Faults': '1' }, body: JSON.stringify(rule) })
    if (!res.ok) throw new Error(`fault: HTTP ${res.status} ${await res.text()}`)
  }

  async clearFaults() { await fetch(this.url + '/api/faults', { method: 'DELETE', headers: { 'X-Collector-Faults': '1' } }) }

  // waitFor polls fn until it returns a truthy value or the time is up.
  async waitFor(fn, { timeout = 10000, interval = 100, what = 'condition' } = {}) {
    const end = Date.now() + timeout
    let last
    while (Date.now() < end) {
      last = await fn()
      if (last) return last
      await new Promise((r) => setTimeout(r, interval))
    }
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`)
  }
}

// bounded waits for p at most ms (an unref'd timer: it never holds the
// process), ignoring its failure.
export function bounded(p, ms) {
  let timer
  const late = new Promise((r) => { timer = setTimeout(r, ms); timer.unref() })
  return Promise.race([Promise.resolve(p).catch(() => {}), late]).finally(() => clearTimeout(timer))
}

// launch starts the engine's browser.
export function launch() { return engine.launch() }

// longEngines are the engines that run tests marked long ($LONG_ENGINES,
// default chromium): `make test` keeps its time down by running such a test
// in one engine when what it measures does not depend on the engine.
const longEngines = (process.env.LONG_ENGINES || 'chromium').split(/[\s,]+/)

// test is node:test's test with the engine's name in front of the test's,
// so a failure names the engine. opts.needs lists the engine features the
// test needs (see engines/index.mjs); where the engine lacks one, the test
// is skipped with the reason. opts.long (a reason) marks a test that runs
// only in $LONG_ENGINES; elsewhere it is skipped with that reason.
export function test(name, opts, fn) {
  if (typeof opts === 'function') [opts, fn] = [{}, opts]
  if (!hooked) { // at a file's top level: the hook is the file's, not a test's
    hooked = true
    after(async () => { if (shared) await (await shared).close() })
  }
  const { needs = [], long, ...rest } = opts
  const skip = needs.filter((f) => engine.lacks[f]).map((f) => `${engine.name} lacks ${f}: ${engine.lacks[f]}`)
  if (long && !longEngines.includes(engine.name)) skip.push(`long, runs in LONG_ENGINES=${longEngines.join(',')} only: ${long}`)
  return nodeTest(`${engine.name}: ${name}`, skip.length ? { ...rest, skip: skip.join('; ') } : rest, fn)
}

// One browser per test file (each file runs in its own process), closed
// after its last test; every test gets fresh contexts (profiles) of it,
// closed when the test ends.
let shared = null
let hooked = false

async function browser() {
  if (shared) {
    const b = await shared
    if (b.connected()) return b
  }
  shared = launch()
  shared.catch(() => { shared = null })
  return shared
}

// env starts pages, a collector allowing their origin, and the browser;
// browser.newContext() makes a profile that is closed after the test, when
// uncaught errors of its open pages are printed.
export async function env(t, collectorOpts = {}) {
  const pages = await startPages()
  const collector = await new Collector({ origin: pages.url, ...collectorOpts }).start()
  const browser = await contexts(t)
  t.after(async () => {
    await collector.close()
    await pages.close()
  })
  return { pages, collector, browser }
}

// contexts returns the shared browser as {name, version, newContext()};
// the contexts made are closed when the test t ends, and uncaught errors
// of their open pages are printed then.
export async function contexts(t) {
  const b = await browser()
  const contexts = []
  t.after(async () => {
    for (const { pages: open } of contexts) {
      for (const p of open) {
        if (p.isClosed()) continue
        const errors = await bounded(p.errors(), 2000)
        for (const e of errors || []) console.error(`# ${engine.name} page error (${e.where}): ${e.message}`)
      }
    }
    await Promise.all(contexts.map(({ ctx }) => bounded(ctx.close(), 10000)))
  })
  const newContext = async () => {
    const ctx = await b.newContext()
    const entry = { ctx, pages: [] }
    contexts.push(entry)
    const newPage = ctx.newPage.bind(ctx)
    ctx.newPage = async () => {
      const p = await newPage()
      entry.pages.push(p)
      return p
    }
    return ctx
  }
  return { name: b.name, get version() { return b.version }, newContext }
}

// config returns an SDK configuration pointing at collector.
export function config(collector, extra = {}) {
  return { projectToken: TOKEN, authorization: `Token ${KEY}`, baseUrl: collector.url, ...(HOST === 'auto' ? {} : { host: HOST }), ...extra }
}

// HOST is where the suites run the SDK's Go side (E2E_HOST): 'auto' (the
// default: a SharedWorker in every engine here), or 'worker' for the
// dedicated Worker; RUNS_IN is what client.runsIn then says.
export const HOST = process.env.E2E_HOST || 'auto'
export const RUNS_IN = HOST === 'auto' ? 'sharedworker' : HOST

// outlives says whether the SDK of page (window.exponea) runs in a
// SharedWorker that outlives the page (Chromium, extendedLifetime): the
// page then leaves the close-time send to it.
export const outlives = (page) => page.evaluate(() => exponea.runsIn === 'sharedworker' && exponea.startup.lifetime === 'extended')

// open loads a test page (path, default '/', with ?prelude= for preludes)
// in a new page of ctx and, with cfg, configures the SDK there (as
// window.exponea); it returns the page.
export async function open(ctx, pages, cfg, { path = '/', prelude = [] } = {}) {
  const page = await ctx.newPage()
  await page.goto(pages.url + path + (prelude.length ? `${path.includes('?') ? '&' : '?'}prelude=${prelude.join(',')}` : ''))
  if (cfg) await configure(page, cfg)
  return page
}

export function configure(page, cfg) {
  return page.evaluate(async (cfg) => {
    const { Exponea } = await import('/dist/exponea.mjs')
    window.exponea = await Exponea.configure(cfg)
    return window.exponea.storage
  }, cfg)
}

// hide makes the page report itself hidden, as when the user switches tabs.
export function hide(page) {
  return page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
  })
}
