// Firefox ESR from Debian's package, driven by puppeteer-core over
// WebDriver BiDi (Playwright's Firefox needs Playwright's own build).
import puppeteer from 'puppeteer-core'
import { LibraryPage } from './page.mjs'

export const name = 'firefox'

export const lacks = {
  crash: 'WebDriver BiDi has no command that crashes a tab\'s content process (and the tabs of one site share one)',
  // Measured: with offline emulation on, a reload fails with
  // NS_ERROR_OFFLINE even when request interception would answer it.
  route: 'offline emulation fails navigations (NS_ERROR_OFFLINE) before request interception can answer them',
}

// Besides puppeteer's own profile preferences (no updates, telemetry or
// safe-browsing traffic): no connectivity or captive-portal probes, which
// could otherwise mark this offline machine offline.
const prefs = {
  'network.connectivity-service.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.manage-offline-status': false,
}

export async function launch() {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: prefs,
  })
  return {
    name,
    version: (await browser.version()).replace(/^firefox\//, ''),
    async newContext() { return new Context(await browser.createBrowserContext()) },
    connected: () => browser.connected,
    close: () => browser.close(),
  }
}

class Context {
  constructor(ctx) {
    this.ctx = ctx
    this.pages = new Set()
    this.offline = false
  }

  async newPage() {
    // A window of its own: a background tab would be hidden.
    const p = new LibraryPage(name, await this.ctx.newPage({ type: 'window' }))
    this.pages.add(p)
    if (this.offline) await p.page.setOfflineMode(true)
    return p
  }

  // setOffline: Firefox emulates the network per page (its Workers
  // included); the context's pages, and those opened later, follow.
  async setOffline(on) {
    this.offline = on
    for (const p of this.pages) if (!p.isClosed()) await p.page.setOfflineMode(on)
  }

  route() { throw new Error(`firefox: ${lacks.route}`) }

  close() { return this.ctx.close() }
}
