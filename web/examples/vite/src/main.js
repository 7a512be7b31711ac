// A shop page that tracks with the SDK from npm. `vite build` emits the
// package's wasm and Worker as assets by itself; there is no vite.config.
import { Exponea } from 'exponea-wasm'

// Where the events go: ?collector=<url> on the page (the tests), else
// VITE_EXPONEA_URL at build time, else the collector of `make demo`.
// ?token= and ?key= likewise pick the project and its public key.
const q = new URLSearchParams(location.search)
const exponea = Exponea.configure({
  projectToken: q.get('token') || import.meta.env.VITE_EXPONEA_TOKEN || 'demo',
  authorization: `Token ${q.get('key') || import.meta.env.VITE_EXPONEA_KEY || 'demo-public-key'}`,
  baseUrl: q.get('collector') || import.meta.env.VITE_EXPONEA_URL || 'http://127.0.0.1:8080',
  defaultProperties: { app: 'vite-example' },
  trackPageVisits: 'spa', // a page_visit for this page, and for every route the app moves to
})
window.exponea = exponea // for the console

const status = document.getElementById('status')
exponea.ready.then(
  () => { status.textContent = `ready (${exponea.runsIn}, ${exponea.storage}), version ${Exponea.version}` },
  (e) => { status.textContent = `failed: ${e.message}` },
)

let tracked = 0
const track = async (name, properties) => {
  await exponea.trackEvent({ name, properties }) // resolves once the event is stored
  document.getElementById('tracked').textContent = String(++tracked)
}
document.getElementById('view').addEventListener('click', () => track('view_item', { item_id: 'sku-1' }))
document.getElementById('buy').addEventListener('click', () => track('purchase', { item_id: 'sku-1', price: 123.45 }))
document.getElementById('login').addEventListener('submit', (e) => {
  e.preventDefault()
  exponea.identifyCustomer({ ids: { registered: e.target.email.value } })
})

// A single-page app's routes: the links move to a route without loading a
// page (pushState), back and forward come back through popstate, and
// "refresh" rewrites the history entry in place (replaceState, the same
// URL: no new visit). Each route sets its title, which its visit carries.
const route = () => {
  document.getElementById('route').textContent = location.pathname
  document.title = `Shop ${location.pathname}`
}
for (const a of document.querySelectorAll('a[data-route]')) {
  a.addEventListener('click', (e) => {
    e.preventDefault()
    history.pushState({}, '', a.getAttribute('href') + location.search)
    route()
  })
}
addEventListener('popstate', route)
document.getElementById('refresh').addEventListener('click', () => history.replaceState({ refreshed: Date.now() }, '', location.href))
