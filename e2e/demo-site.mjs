// What `make demo` serves, for the tests that open it as a user would: the
// collector started with the Makefile's own DEMO_FLAGS (so the test serves
// exactly what a newcomer gets), behind a small proxy that adds the
// observer (pages/observe.js, inline) to every HTML page and records every
// request's answer, so a test can fail on any request that failed.
import { execFileSync } from 'node:child_process'
import { createServer, request } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Collector } from './harness.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

// demoFlags returns the collector flags of `make demo` (the Makefile's
// DEMO_FLAGS), split as the shell would (they hold no quotes).
export function demoFlags() {
  const text = execFileSync('make', ['-s', '--no-print-directory', 'demo-flags'], { cwd: root, encoding: 'utf8' })
  return text.trim().split(/\s+/)
}

// startDemo starts the demo; it returns {url (the proxy's origin),
// collector, requests: [{at, method, path, status, error}], failed(since)
// (the requests answered ≥ 400 or not at all since the time since, the
// favicon excepted), close()}.
export async function startDemo() {
  const collector = await new Collector({ faults: false, flags: demoFlags() }).start()
  const upstream = new URL(collector.url)
  const requests = []
  const observer = await readFile(join(root, 'e2e/pages/observe.js'), 'utf8')
  let url = ''
  const server = createServer(async (req, res) => {
    const path = req.url
    const rec = { at: Date.now(), method: req.method, path, status: 0, error: '' }
    requests.push(rec)
    const name = new URL(path, 'http://x').pathname
    if (name === '/observe.js' || name === '/observe-worker.js') {
      rec.status = 200
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' })
      res.end(await readFile(join(root, 'e2e/pages', name)))
      return
    }
    // The collector sees its own origin: the page is same-origin with it,
    // as under `make demo`.
    const headers = { ...req.headers, host: upstream.host }
    if (headers.origin === url) headers.origin = collector.url
    if (headers.referer?.startsWith(url)) headers.referer = collector.url + headers.referer.slice(url.length)
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (r) => {
      rec.status = r.statusCode
      const type = String(r.headers['content-type'] || '')
      if (!type.startsWith('text/html') || r.headers['content-encoding']) {
        res.writeHead(r.statusCode, r.headers)
        r.pipe(res)
        return
      }
      const chunks = []
      r.on('data', (c) => chunks.push(c))
      r.on('end', () => {
        // Inline: the collector's page allows inline scripts only.
        const body = Buffer.concat(chunks).toString('utf8').replace(/<head[^>]*>/i, (m) => `${m}<script>${observer}</script>`)
        const h = { ...r.headers }
        delete h['content-length']
        delete h.etag // the body is not the collector's
        res.writeHead(r.statusCode, h)
        res.end(body)
      })
    })
    up.on('error', (e) => {
      rec.error = e.message
      res.destroy()
    })
    req.pipe(up)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${server.address().port}`
  return {
    url,
    collector,
    requests,
    failed: (since = 0) => requests.filter((r) => r.at >= since && (r.error || r.status >= 400) && !/^\/favicon\.ico(\?|$)/.test(r.path)),
    async close() {
      await new Promise((r) => { server.closeAllConnections(); server.close(r) })
      await collector.close()
    },
  }
}
