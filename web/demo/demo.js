import { Exponea } from '/dist/exponea.mjs'

const $ = (id) => document.getElementById(id)
const log = (msg, cls) => {
  const line = document.createElement('div')
  if (cls) line.className = cls
  line.textContent = `${new Date().toLocaleTimeString()}  ${msg}`
  $('log').prepend(line)
}

const exponea = await Exponea.configure({
  projectToken: 'demo',
  authorization: 'Token demo-public-key',
  baseUrl: location.origin,
  defaultProperties: { app: 'demo-shop' },
}).catch((e) => { $('status').textContent = e.message; $('status').className = 'err'; throw e })

$('status').textContent = 'ready'
$('cookie').textContent = await exponea.getCustomerCookie()
$('storage').textContent = exponea.storage
$('mode').value = exponea.getFlushMode()

exponea.on('flush', (e) => log(`delivered ${e.confirmed} (HTTP ${e.status})`))
exponea.on('error', (e) => log(`send failed: ${e.message}${e.retryAt ? `, retry at ${new Date(e.retryAt).toLocaleTimeString()}` : ''}`, 'err'))
exponea.on('drop', (e) => log(`dropped ${e.id}: ${e.reason}`, 'err'))

const run = (what, p) => p.then(() => log(what)).catch((e) => log(`${e.name}: ${e.message}`, 'err'))

$('purchase').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const f = new FormData(ev.target)
  run('queued purchase', exponea.trackEvent({
    name: 'purchase',
    properties: { item_name: f.get('item'), price: Number(f.get('price')), onSale: false },
  }))
})
$('identify').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const f = new FormData(ev.target)
  run('queued identify', exponea.identifyCustomer({
    ids: { registered: f.get('email') },
    properties: { payingCustomer: f.get('paying') === 'on' },
  }))
})
$('mode').addEventListener('change', (ev) => run(`flush mode ${ev.target.value}`, exponea.setFlushMode(ev.target.value)))
$('flush').addEventListener('click', () => exponea.flushData()
  .then((r) => log(`flushData: sent ${r.sent}, confirmed ${r.confirmed}, kept ${r.kept}, dropped ${r.dropped}`))
  .catch((e) => log(`flushData: ${e.message}`, 'err')))

async function refresh() {
  $('queue').textContent = await exponea.getQueueLength()
  const res = await fetch('/api/events?limit=10000')
  const { events } = await res.json()
  const cells = (...xs) => { const tr = document.createElement('tr'); for (const x of xs) { const td = document.createElement('td'); td.innerHTML = ''; const c = document.createElement('code'); c.textContent = x; td.append(c); tr.append(td) } return tr }
  $('arrived').replaceChildren(...events.slice(-20).reverse().map((e) =>
    cells(e.id, e.event_type, JSON.stringify(e.customer_ids), JSON.stringify(e.properties))))
}
setInterval(() => refresh().catch(() => {}), 2000)
refresh().catch(() => {})
