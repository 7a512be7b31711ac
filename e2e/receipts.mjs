// What a backend that does not dedupe would receive: a proxy in front of
// the collector that counts every command of every tracking request by its
// command_id, including the keepalive requests of a page that is closing
// (a real HTTP hop sees them; request interception does not). The SDK is
// pointed at the proxy; the collector behind it dedupes as always, so what
// it stores says what was lost or stored twice, and the counts here say
// what was received twice.
import { createServer, request } from 'node:http'

// countReceipts starts the proxy in front of collector. It returns {url,
// received(id) → times a command arrived, commands() → [{id, type, via
// (the event's via property: how the walk left the page), times, how: for
// each time, 'page at close' (a keepalive request of the page's close path)
// or 'sdk'}],
// close()}.
export async function countReceipts(collector) {
  const upstream = new URL(collector.url)
  const counts = new Map() // command_id → {type, times}
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      if (req.method === 'POST' && req.url.includes('/batch')) {
        try {
          for (const c of JSON.parse(body.toString('utf8')).commands || []) {
            const e = counts.get(c.command_id) || { type: c.data && (c.data.event_type || (c.name === 'customers' ? '(customer)' : '')), via: c.data?.properties?.via || '', times: 0, how: [] }
            e.times++
            let from = ''
            try { from = new URL(req.headers.referer).searchParams.get('n') || '' } catch {}
            e.how.push((String(req.headers['content-type']).startsWith('text/plain') ? 'page at close' : 'sdk') + (from ? ` of page ${from}` : ''))
            counts.set(c.command_id, e)
          }
        } catch {} // the collector answers what it cannot read
      }
      const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (r) => {
        res.writeHead(r.statusCode, r.headers)
        r.pipe(res)
      })
      up.on('error', () => res.destroy())
      up.end(body)
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received: (id) => counts.get(id)?.times || 0,
    commands: () => [...counts].map(([id, e]) => ({ id, type: e.type, via: e.via, times: e.times, how: e.how })),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) }),
  }
}
