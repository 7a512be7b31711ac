// WebKitGTK's MiniBrowser from Debian's packages (webkit2gtk-driver,
// libwebkit2gtk-4.1-0), driven by WebKitWebDriver over classic W3C
// WebDriver, on an Xvfb display of its own.
//
// A context is one WebDriver session (an ephemeral profile) with its own
// WebKitWebDriver, which serves one session at a time. The session's first
// window stays open on about:blank so that closing every test page does not
// end the session (and its storage) with the last window.
import { spawn } from 'node:child_process'
import { readdirSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { Session, waitReady } from './webdriver.mjs'
import { Page } from './page.mjs'

export const name = 'webkit'

export const lacks = {
  crash: 'classic WebDriver has no command that crashes a tab\'s web process',
  offline: 'classic WebDriver has no network emulation (no offline mode)',
  route: 'classic WebDriver cannot intercept requests',
  navigation: 'WebKitGTK 2.50 has no Navigation API: where a navigation made by script (location.href = ...) goes is not known to the page',
  pagehideWhileLoading: 'WebKitGTK 2.50 fires no pagehide for a page left before its load event (measured: a pagehide listener of such a page never ran), so its close path does not run',
}

const driverPath = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver'

// miniBrowser is where libwebkit2gtk-4.1-0 installs MiniBrowser (its
// multiarch library folder), or $MINIBROWSER.
function miniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER
  for (const d of readdirSync('/usr/lib')) {
    const p = `/usr/lib/${d}/webkit2gtk-4.1/MiniBrowser`
    if (existsSync(p)) return p
  }
  throw new Error('webkit: no MiniBrowser under /usr/lib/*/webkit2gtk-4.1/ (install libwebkit2gtk-4.1-0 and webkit2gtk-driver)')
}

// xvfb starts a virtual display; it resolves with its process and number.
function xvfb() {
  return new Promise((resolve, reject) => {
    const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    proc.stderr.on('data', (d) => { err += d })
    proc.stdio[3].on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve({ proc, display: ':' + out.trim() })
    })
    proc.on('error', (e) => reject(new Error(`webkit: cannot start Xvfb (install xvfb): ${e.message}`)))
    proc.on('exit', (code) => reject(new Error(`webkit: Xvfb exited ${code}: ${err.slice(-300)}`)))
  })
}

// within waits for p at most ms, ignoring its failure; its timer never
// holds the process.
function within(p, ms) {
  let timer
  const late = new Promise((r) => { timer = setTimeout(r, ms); timer.unref() })
  return Promise.race([p.catch(() => {}), late]).finally(() => clearTimeout(timer))
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

export async function launch() {
  const binary = miniBrowser()
  const x = await xvfb()
  const contexts = new Set()
  return {
    name,
    // WebKitGTK's version, as the first session reports it.
    version: '',
    async newContext() {
      const c = await Context.start(binary, x.display)
      contexts.add(c)
      this.version ||= c.session.capabilities.browserVersion
      return c
    },
    connected: () => x.proc.exitCode === null,
    async close() {
      await Promise.all([...contexts].map((c) => c.close().catch(() => {})))
      x.proc.kill()
    },
  }
}

class Context {
  static async start(binary, display) {
    const port = await freePort()
    const proc = spawn(driverPath, [`--port=${port}`], { env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000) })
    const base = `http://127.0.0.1:${port}`
    try {
      await waitReady(base)
      const session = await Session.create(base, { 'webkitgtk:browserOptions': { binary, args: ['--automation'] } })
      await session.send('POST', '/timeouts', { script: 300000, pageLoad: 60000 })
      return new Context(proc, session)
    } catch (e) {
      proc.kill()
      throw new Error(`webkit: no session: ${e.message}\n${stderr}`)
    }
  }

  constructor(proc, session) {
    this.proc = proc
    this.session = session
    this.closed = false
  }

  async newPage() {
    return new WebKitPage(this.session, await this.session.newWindow())
  }

  setOffline() { throw new Error(`webkit: ${lacks.offline}`) }
  route() { throw new Error(`webkit: ${lacks.route}`) }

  async close() {
    if (this.closed) return
    this.closed = true
    const exited = new Promise((r) => this.proc.once('exit', r))
    await within(this.session.end(), 5000)
    this.proc.kill()
    await within(exited, 5000)
  }
}

class WebKitPage extends Page {
  constructor(session, handle) {
    super(name)
    this.session = session
    this.handle = handle
    this.closed = false
  }

  async run(expr) {
    const script = `const done = arguments[0]; Promise.resolve(${expr}).then(done, (e) => done(JSON.stringify({ e: String(e) })))`
    return this.session.executeAsync(this.handle, script)
  }

  goto(url) { return this.session.in(this.handle, (s) => s.send('POST', '/url', { url })) }

  // click clicks the element selector finds (WebDriver's Element Click:
  // real input events at its centre), waiting up to 10 s for it.
  async click(selector) {
    const el = await this.find(selector)
    await this.session.in(this.handle, (s) => s.send('POST', `/element/${el}/click`, {}))
  }

  // select picks the option of value in the <select> selector finds: a
  // click on the option, as WebDriver's Element Click does for options.
  select(selector, value) { return this.click(`${selector} option[value="${value}"]`) }

  async find(selector, timeout = 10000) {
    const end = Date.now() + timeout
    for (;;) {
      try {
        const v = await this.session.in(this.handle, (s) => s.send('POST', '/element', { using: 'css selector', value: selector }))
        return Object.values(v)[0]
      } catch (e) {
        if (e.code !== 'no such element' || Date.now() > end) throw e
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  reload() { return this.session.in(this.handle, (s) => s.send('POST', '/refresh', {})) }


  // close closes the window now (no beforeunload prompt). Not the last
  // one: the context's first window stays.
  async close() {
    if (this.closed) return
    this.closed = true
    await this.session.closeWindow(this.handle)
  }

  isClosed() { return this.closed }
}
