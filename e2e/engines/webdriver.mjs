// A small W3C WebDriver client over fetch: only the commands the WebKit
// engine uses (https://www.w3.org/TR/webdriver2/). A Session runs one
// command at a time, because classic WebDriver has one current window per
// session: every page command first switches to its page's window.

// WebDriverError is a command's error answer ("no such window",
// "javascript error", ...).
export class WebDriverError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`)
    this.code = code
  }
}

// command sends one request to the driver at base and returns its value.
export async function command(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let value
  try { value = JSON.parse(text).value } catch { throw new WebDriverError('bad answer', `HTTP ${res.status}: ${text.slice(0, 200)}`) }
  if (!res.ok) throw new WebDriverError(value?.error || `HTTP ${res.status}`, value?.message || text.slice(0, 200))
  return value
}

// waitReady polls the driver's /status until it answers ready, at most
// timeout ms.
export async function waitReady(base, timeout = 10000) {
  const end = Date.now() + timeout
  for (;;) {
    try {
      if ((await command(base, 'GET', '/status'))?.ready) return
    } catch (e) {
      if (Date.now() > end) throw new Error(`WebDriver at ${base} not ready: ${e.message}`)
    }
    if (Date.now() > end) throw new Error(`WebDriver at ${base} not ready`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export class Session {
  constructor(base, id, capabilities) {
    this.base = base
    this.id = id
    this.capabilities = capabilities
    this.current = null // the handle of the current window
    this.first = null // the session's first window's
    this.tail = Promise.resolve() // the command queue
  }

  // create starts a session with capabilities (alwaysMatch).
  static async create(base, capabilities) {
    const v = await command(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } })
    const s = new Session(base, v.sessionId, v.capabilities)
    s.current = s.first = await s.send('GET', '/window')
    return s
  }

  send(method, path, body) { return command(this.base, method, `/session/${this.id}${path}`, body) }

  // run queues fn (given this session) behind every earlier command.
  run(fn) {
    const p = this.tail.then(() => fn(this))
    this.tail = p.catch(() => {})
    return p
  }

  // in runs fn with the window handle current.
  in(handle, fn) {
    return this.run(async () => {
      if (this.current !== handle) {
        await this.send('POST', '/window', { handle })
        this.current = handle
      }
      return fn(this)
    })
  }

  // newWindow opens a top-level window (not a tab: a background tab is
  // hidden) and returns its handle.
  async newWindow() {
    return this.run(async () => (await this.send('POST', '/window/new', { type: 'window' })).handle)
  }

  // closeWindow closes handle's window at once (no beforeunload prompt),
  // then makes the session's first window current: a command such as New
  // Window fails while the current window is closed.
  closeWindow(handle) {
    return this.in(handle, async () => {
      await this.send('DELETE', '/window')
      this.current = null
      if (handle !== this.first) {
        await this.send('POST', '/window', { handle: this.first })
        this.current = this.first
      }
    })
  }

  // executeAsync runs script (a function body; its last argument is the
  // callback) in handle's window and returns what it called back with.
  executeAsync(handle, script, args = []) {
    return this.in(handle, () => this.send('POST', '/execute/async', { script, args }))
  }

  end() { return this.send('DELETE', '') }
}
