// The loopback sink for the peer SDKs: one HTTP server on its own port (the
// page is on another, so every request is cross-origin, preflights included,
// as in production). It answers each peer's protocol with success and counts
// what arrived by the `seq` property of each event.
//
// Events are found by shape, not by protocol: every decoded body is walked
// for objects carrying `run`, `phase` and `seq` (the properties bench/peers/
// _props.js attaches), so one decoder covers JSON, form-encoded `data=`,
// base64 and gzip bodies, and properties nested as JSON strings (Snowplow's
// ue_pr).
import http from 'node:http'
import zlib from 'node:zlib'

// What each peer's endpoint answers: its SDK treats anything else as failure
// (Amplitude wants code 200 in the body; Mixpanel's batcher sends verbose=1).
const replies = {
  segment: { type: 'application/json', body: '{"success":true}' },
  amplitude: { type: 'application/json', body: null }, // built per request
  posthog: { type: 'application/json', body: '{"status":1}' },
  rudder: { type: 'text/plain', body: 'OK' },
  snowplow: { type: 'text/plain', body: 'ok' },
  mixpanel: { type: 'application/json', body: '{"status":1,"error":null}' },
  // The SDK under test: the Bloomreach Engagement batch endpoint, whose
  // answer has one result per command.
  exponea: { type: 'application/json', body: null }, // built per request
}

const now = () => performance.timeOrigin + performance.now()

function decodeBody(buf, headers, url) {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf)
  let text = buf.toString('utf8')
  const type = headers['content-type'] || ''
  if (/x-www-form-urlencoded/.test(type) || /^data=/.test(text)) {
    text = new URLSearchParams(text).get('data') || ''
    if (!/^\s*[[{]/.test(text)) text = Buffer.from(text, 'base64').toString('utf8')
  } else if (url.searchParams.get('compression') === 'base64') {
    text = Buffer.from(text, 'base64').toString('utf8')
  }
  try { return JSON.parse(text) } catch { return null }
}

// walk calls found(props) for every object that looks like bench properties.
function walk(v, found, depth = 0) {
  if (depth > 12 || v == null) return
  if (typeof v === 'string') {
    if (v.length > 2 && v[0] === '{' && v.includes('"seq"')) {
      try { walk(JSON.parse(v), found, depth + 1) } catch {}
    }
    return
  }
  if (typeof v !== 'object') return
  if (Array.isArray(v)) { for (const x of v) walk(x, found, depth + 1); return }
  if (typeof v.seq === 'number' && typeof v.phase === 'string' && typeof v.run === 'string') { found(v); return }
  for (const k in v) walk(v[k], found, depth + 1)
}

export function startSink({ host = '127.0.0.1', log = () => {} } = {}) {
  // per peer: totals of event-carrying requests, and per `${run}/${phase}` the
  // set of seqs seen and when the last new one arrived.
  const peers = new Map()
  const peer = (name) => {
    if (!peers.has(name)) peers.set(name, { requests: 0, bytes: 0, events: 0, dupes: 0, other: 0, phases: new Map() })
    return peers.get(name)
  }
  const unknown = new Map() // path → count, for the report of stray traffic

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://sink')
    const name = url.pathname.split('/')[1]
    const origin = req.headers.origin
    // CORS for any loopback page; credentials allowed because Mixpanel and
    // Snowplow send with credentials, which forbids the '*' wildcard.
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin)
      res.setHeader('Access-Control-Allow-Credentials', 'true')
      res.setHeader('Vary', 'Origin')
    }
    // The page is cross-origin isolated (COEP require-corp): a no-cors
    // request (sendBeacon, <img>) needs this to be readable at all.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin')
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
      res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] || 'Content-Type')
      res.setHeader('Access-Control-Max-Age', '600')
      res.writeHead(204).end()
      return
    }
    const chunks = []
    let size = 0
    req.on('data', (c) => { chunks.push(c); size += c.length })
    req.on('end', () => {
      const reply = replies[name]
      if (!reply) {
        unknown.set(url.pathname, (unknown.get(url.pathname) || 0) + 1)
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
        return
      }
      const p = peer(name)
      let n = 0
      let parsed = null
      if (size > 0) {
        const body = (parsed = decodeBody(Buffer.concat(chunks), req.headers, url))
        const t = now()
        walk(body, (e) => {
          n++
          const key = `${e.run}/${e.phase}`
          if (!p.phases.has(key)) p.phases.set(key, { seqs: new Set(), last: 0, first: t, dupes: 0 })
          const ph = p.phases.get(key)
          if (ph.seqs.has(e.seq)) { p.dupes++; ph.dupes++; return }
          ph.seqs.add(e.seq)
          ph.last = t
        })
      }
      if (n > 0) { p.requests++; p.bytes += size; p.events += n } else {
        p.other++
        unknown.set(`${req.method} ${url.pathname}`, (unknown.get(`${req.method} ${url.pathname}`) || 0) + 1)
      }
      let body = reply.body
      if (name === 'amplitude') {
        body = JSON.stringify({ code: 200, events_ingested: n, payload_size_bytes: size, server_upload_time: Date.now() })
      } else if (name === 'exponea') {
        const cmds = Array.isArray(parsed?.commands) ? parsed.commands.length : 0
        body = `{"success":true,"results":[${Array(cmds).fill('{"success":true}').join(',')}]}`
      }
      res.writeHead(200, { 'Content-Type': reply.type }).end(body)
    })
    req.on('error', (e) => log(`sink: ${e.message}`))
  })
  server.keepAliveTimeout = 30_000

  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address()
      resolve({
        url: `http://${host}:${port}`,
        // counters of a peer: requests and bytes that carried events.
        counters(name) { const p = peer(name); return { requests: p.requests, bytes: p.bytes, events: p.events, dupes: p.dupes, other: p.other } },
        // delivery of one run's phase: distinct seqs, when the last new one
        // came, and how many events came again (a seq seen before).
        phase(name, run, phase) {
          const ph = peer(name).phases.get(`${run}/${phase}`)
          return ph ? { count: ph.seqs.size, last: ph.last, dupes: ph.dupes } : { count: 0, last: 0, dupes: 0 }
        },
        // drops a finished run's sets, which would otherwise pile up.
        forget(name, run) { for (const k of peer(name).phases.keys()) if (k.startsWith(run + '/')) peer(name).phases.delete(k) },
        unknown: () => Object.fromEntries(unknown),
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()) }),
      })
    })
  })
}
