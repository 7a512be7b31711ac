// The shop of web/examples/vite, written as a webpack user might: the
// package's default export, and the client awaited before the page's
// buttons are wired (awaiting it waits until the SDK has started).
import Exponea from 'exponea-wasm'

document.body.innerHTML = `
  <h1>Shop</h1>
  <p>SDK: <output id="status">starting…</output></p>
  <button id="view" type="button" data-event="view_item">View the item</button>
  <button id="buy" type="button" data-event="purchase" data-price="123.45">Buy it</button>
  <form id="login"><input name="email" type="email" value="ann@example.com"> <button>Sign in</button></form>
  <p>Tracked: <output id="tracked">0</output></p>`
const $ = (id) => document.getElementById(id)

// Where the events go: ?collector=<url> (the tests) or the collector of
// `make demo`; ?token= and ?key= pick the project and its public key.
const q = new URLSearchParams(location.search)
try {
  const exponea = await Exponea.configure({
    projectToken: q.get('token') || 'demo',
    authorization: `Token ${q.get('key') || 'demo-public-key'}`,
    baseUrl: q.get('collector') || 'http://127.0.0.1:8080',
    defaultProperties: { app: 'webpack-example' },
  })
  $('status').textContent = `ready (${exponea.runsIn}, ${exponea.storage}), version ${Exponea.version}`
  let tracked = 0
  for (const button of document.querySelectorAll('button[data-event]')) {
    button.addEventListener('click', async () => {
      const { event, price } = button.dataset
      await exponea.trackEvent({ name: event, properties: { item_id: 'sku-1', ...(price && { price: Number(price) }) } })
      $('tracked').textContent = String(++tracked)
    })
  }
  $('login').addEventListener('submit', (e) => {
    e.preventDefault()
    exponea.identifyCustomer({ ids: { registered: e.target.email.value } })
  })
} catch (e) {
  $('status').textContent = `failed: ${e.message}`
}
