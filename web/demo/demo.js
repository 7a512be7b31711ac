// The demo page: the SDK against the collector of `make demo`, which serves
// this page, the SDK (/dist/) and the read API (/api/) on one origin.
import { Exponea } from '/dist/exponea.mjs'

const $ = (id) => document.getElementById(id)
const log = (msg, cls) => {
  const line = document.createElement('div')
  if (cls) line.className = cls
  line.textContent = `${new Date().toLocaleTimeString()}  ${msg}`
  $('log').prepend(line)
}
const show = (id, text, cls = '') => {
  $(id).textContent = text
  $(id).className = cls
}

// configure returns the client at once: the buttons work from now on, and
// what they track before the SDK is ready is journaled and handed over.
const exponea = Exponea.configure({
  projectToken: 'demo',
  authorization: 'Token demo-public-key',
  baseUrl: location.origin,
  defaultProperties: { app: 'demo-shop' },
})
show('version', Exponea.version)

exponea
  .then(async (ready) => {
    const ms = ready.startup.configured
    show('status', ms === undefined ? 'ready' : `ready (started in ${Math.round(ms)} ms)`, 'ok')
    show('storage', ready.storage)
    show('host', ready.runsIn)
    show('cookie', await ready.getCustomerCookie())
    $('mode').value = ready.getFlushMode()
    await refreshQueue()
  })
  .catch((e) => {
    show('status', `could not start: ${e.message}`, 'err')
    log(`ready: ${e.message}`, 'err')
  })

exponea.on('flush', (e) => log(`delivered ${e.confirmed} (HTTP ${e.status})`))
exponea.on('error', (e) => log(`send failed: ${e.message}${e.retryAt ? `, retry at ${new Date(e.retryAt).toLocaleTimeString()}` : ''}`, 'err'))
exponea.on('drop', (e) => log(`dropped ${e.id}: ${e.reason}`, 'err'))

// run logs a call's outcome when its Promise settles, and shows the queue.
const run = (what, call) => {
  let p
  try {
    p = Promise.resolve(call())
  } catch (e) {
    p = Promise.reject(e)
  }
  return p.then((v) => log(typeof v === 'string' ? `${what}: ${v}` : what, 'ok'))
    .catch((e) => log(`${what}: ${e.name}: ${e.message}`, 'err'))
    .finally(refreshQueue)
}

$('purchase').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const f = new FormData(ev.target)
  run(`purchase of ${f.get('item')} stored`, () => exponea.trackEvent({
    name: 'purchase',
    properties: { item_name: f.get('item'), price: Number(f.get('price')), onSale: false },
  }))
})
$('identify').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const f = new FormData(ev.target)
  run(`customer ${f.get('email')} stored`, () => exponea.identifyCustomer({
    ids: { registered: f.get('email') },
    properties: { payingCustomer: f.get('paying') === 'on' },
  }))
})
$('mode').addEventListener('change', (ev) => run(`flush mode is ${ev.target.value}`, () => exponea.setFlushMode(ev.target.value)))
$('flush').addEventListener('click', () => run('flushData', () => exponea.flushData()
  .then((r) => `sent ${r.sent}, confirmed ${r.confirmed}, kept ${r.kept}, dropped ${r.dropped}`)))
$('anonymize').addEventListener('click', () => run('anonymized: a new customer', async () => {
  await exponea.anonymize()
  show('cookie', await exponea.getCustomerCookie())
}))

async function refreshQueue() {
  try {
    show('queue', String(await exponea.getQueueLength()))
  } catch (e) {
    show('queue', e.message, 'err')
  }
}

// The arrivals: what the collector stored, newest first.
const row = (...xs) => {
  const tr = document.createElement('tr')
  for (const x of xs) {
    const td = document.createElement('td')
    const c = document.createElement('code')
    c.textContent = x
    td.append(c)
    tr.append(td)
  }
  return tr
}
const short = (ids) => JSON.stringify(ids).replace(/"cookie":"([0-9a-f]{8})[^"]*"/, '"cookie":"$1…"')
async function refreshArrivals() {
  const get = async (what) => {
    const res = await fetch(`/api/${what}?order=desc&limit=20`)
    if (!res.ok) throw new Error(`/api/${what}: HTTP ${res.status}`)
    return (await res.json())[what]
  }
  const [events, customers] = await Promise.all([get('events'), get('customers')])
  $('events').replaceChildren(...events.map((e) => row(e.id, e.event_type, short(e.customer_ids), JSON.stringify(e.properties))))
  $('customers').replaceChildren(...customers.map((c) => row(c.id, short(c.customer_ids), JSON.stringify(c.properties))))
  show('arrivals-status', `updated ${new Date().toLocaleTimeString()}`, 'muted')
}
const refresh = () => refreshArrivals().catch((e) => show('arrivals-status', e.message, 'err'))
refresh()
setInterval(refresh, 2000)
setInterval(() => { if (exponea.storage) refreshQueue() }, 2000)
