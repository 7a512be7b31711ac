// Test harness: the real collector (built by `make collector`) on one
// loopback port, the test pages and dist/ on another, so every request the
// SDK makes is cross-origin as in production, and headless Chromium from
// Debian's package driven by playwright-core.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, extname, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const root = fileURLToPath(new URL('..', import.meta.url))
export const TOKEN = 'e2e'
export const KEY = 'e2e-public-key'

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' }

// startPages serves e2e/pages at / and dist/ at /dist/. A `delay` query
// parameter holds any file back for that many milliseconds (a slow network
// for one file).
export async function startPages() {
  const server = createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x')
    const delay = Number(u.searchParams.get('delay'))
    if (delay > 0) await new Promise((r) => setTimeout(r, delay))
    const path = normalize(decodeURIComponent(u.pathname))
    const file = path.startsWith('/dist/') ? join(root, path) : join(root, 'e2e/pages', path === '/' ? 'index.html' : path)
    try {
      const body = await readFile(file)
      res.writeHead(200, { 'Content-Type': types[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' })
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${server.address().port}`
  return { url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) }) }
}

// Collector runs build/collector with a SQLite file in a temp dir. start()
// may be called again after stop() to bring it back on the same port with
// the same database, as after an outage.
export class Collector {
  constructor({ origin, faults = true, port = 0, extra = [] } = {}) {
    this.origin = origin
    this.faults = faults
    this.port = port
    this.extra = extra
  }

  async start() {
    this.dir ??= await mkdtemp(join(tmpdir(), 'e2e-collector-'))
    const args = ['-addr', `127.0.0.1:${this.port}`, '-db', join(this.dir, 'c.db'), '-keys', KEY, '-projects', TOKEN, ...this.extra]
    if (this.origin) args.push('-origins', this.origin)
    if (this.faults) args.push('-faults')
    this.proc = spawn(join(root, 'build/collector'), args, { stdio: ['ignore', 'pipe', 'pipe'] })
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

export function launch(opts = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    ...opts,
  })
}

// env starts pages, a collector allowing their origin, and a browser.
export async function env(t, collectorOpts = {}) {
  const pages = await startPages()
  const collector = await new Collector({ origin: pages.url, ...collectorOpts }).start()
  const browser = await launch()
  t.after(async () => {
    await browser.close()
    await collector.close()
    await pages.close()
  })
  return { pages, collector, browser }
}

// config returns an SDK configuration pointing at collector.
export function config(collector, extra = {}) {
  return { projectToken: TOKEN, authorization: `Token ${KEY}`, baseUrl: collector.url, ...extra }
}

// open loads the test page in a new page of ctx and configures the SDK there
// (as window.exponea); it returns the page.
export async function open(ctx, pages, cfg) {
  const page = await ctx.newPage()
  page.on('pageerror', (e) => console.error('pageerror:', e.message))
  await page.goto(pages.url + '/')
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
