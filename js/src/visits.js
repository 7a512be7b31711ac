// Page visits: the `page_visit` event of a page (trackPageVisits: true, or
// client.trackPageVisit()) and of every route of a single-page app
// (trackPageVisits: 'spa'). The properties take Bloomreach's names for the
// event its own web SDK tracks: location, path, title, referrer and the
// campaign parameters of the URL.

// CAMPAIGN are the URL's query parameters a visit carries as properties of
// the same name, when the URL has them.
export const CAMPAIGN = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid', 'fbclid']

// visitProperties returns the properties of a visit to the page {href,
// referrer, title}: location (the URL), path, title, referrer ('' for
// none) and the campaign parameters the URL has (the first of each).
export function visitProperties({ href, referrer, title }) {
  const u = new URL(href)
  const p = { location: u.href, path: u.pathname, title: title || '', referrer: referrer || '' }
  for (const k of CAMPAIGN) {
    const v = u.searchParams.get(k)
    if (v !== null) p[k] = v
  }
  return p
}

// Routes follows the routes of a single-page app: change(href) says
// whether href is a new route, and returns the previous route's URL (the
// new visit's referrer) if it is, else null. The URL's fragment counts
// only with hashes: an anchor within a page is not a new route.
export class Routes {
  constructor(href, { hashes = false } = {}) {
    this.hashes = hashes
    this.href = href
    this.key = this.route(href)
  }

  route(href) { return this.hashes ? href : href.replace(/#.*$/, '') }

  change(href) {
    const key = this.route(href)
    if (key === this.key) return null
    const previous = this.href
    this.key = key
    this.href = href
    return previous
  }
}

// watchRoutes calls onRoute(href, referrer) when the page moves to a new
// route without loading a document: history.pushState and replaceState to
// another URL, back and forward within the page (popstate), and, with
// hashes, a new fragment. Where the engine has the Navigation API, its
// currententrychange says so for every one of them; where it has not
// (WebKit), pushState and replaceState are wrapped and popstate and
// hashchange are heard. A restore from the back/forward cache changes no
// route: the page is shown again as it was. It returns how it watches:
// 'navigation' or 'history'.
export function watchRoutes(onRoute, { hashes = false, win = globalThis } = {}) {
  const routes = new Routes(win.location.href, { hashes })
  const check = () => {
    const href = win.location.href
    const referrer = routes.change(href)
    if (referrer !== null) onRoute(href, referrer)
  }
  const nav = win.navigation
  if (nav && typeof nav.addEventListener === 'function') {
    nav.addEventListener('currententrychange', check)
    return 'navigation'
  }
  const h = win.history
  for (const m of ['pushState', 'replaceState']) {
    const original = h[m]
    if (typeof original !== 'function') continue
    h[m] = function (...args) {
      const r = original.apply(this, args)
      check()
      return r
    }
  }
  win.addEventListener('popstate', check)
  win.addEventListener('hashchange', check)
  return 'history'
}
