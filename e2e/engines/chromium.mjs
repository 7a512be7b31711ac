// Chromium from Debian's package, driven by playwright-core over CDP.
import { chromium } from 'playwright-core'
import { LibraryPage } from './page.mjs'
import { disableFeatures } from './chromium-flags.mjs'

export const name = 'chromium'

// lacks: nothing the suite asks for.
export const lacks = {}

// The background-networking flags keep Chromium from calling out: on an
// offline machine its connections are refused otherwise. disableFeatures:
// no omnibox popup renderer booting beside each new context's first page
// (chromium-flags.mjs).
const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', disableFeatures]

export async function launch() {
  // Playwright turns the back/forward cache off; a visitor's browser has it.
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args, ignoreDefaultArgs: ['--disable-back-forward-cache'] })
  return {
    name,
    version: browser.version(),
    async newContext() { return new Context(await browser.newContext()) },
    connected: () => browser.isConnected(),
    close: () => browser.close(),
  }
}

class Context {
  constructor(ctx) { this.ctx = ctx }

  async newPage() {
    const page = new LibraryPage(name, await this.ctx.newPage())
    // crash makes the tab's renderer crash (CDP Page.crash), as the
    // browser's "Aw, Snap!": no pagehide, no message, the page just stops.
    page.crash = async () => {
      const cdp = await this.ctx.newCDPSession(page.page)
      const crashed = new Promise((resolve) => page.page.once('crash', resolve))
      cdp.send('Page.crash').catch(() => {}) // never answered: the renderer is gone
      await crashed
    }
    return page
  }

  // setOffline takes every page of the context, and its Workers, off the
  // network (navigator.onLine false, 'offline' fired) or back.
  setOffline(on) { return this.ctx.setOffline(on) }

  // route answers every request under origin with respond(url) →
  // {body, contentType} (or aborts it on null), offline too.
  async route(origin, respond) {
    // A routed document has no loopback address, so Chromium's Local
    // Network Access check would block its requests to the (loopback)
    // collector unless the permission is granted, as a user would for a
    // local page.
    await this.ctx.grantPermissions(['local-network-access'], { origin })
    await this.ctx.route(origin + '/**', async (route) => {
      const r = await respond(route.request().url())
      if (r) await route.fulfill({ status: 200, body: r.body, contentType: r.contentType })
      else await route.abort().catch(() => {})
    })
  }

  close() { return this.ctx.close() }
}
