// The page server: the bench page, the harness, the peer bundles and the
// SDK's dist/, on a loopback port of its own (the sink and the collector are
// on others, so every SDK request is cross-origin).
//
// The page is cross-origin isolated (COOP + COEP), which gives
// performance.now() 5 µs resolution instead of 100 µs; every subresource
// is same-origin with CORP, as COEP require-corp demands.
import http from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', // lets the SDK use instantiateStreaming
}

export function startPages({ benchDir, distDir, host = '127.0.0.1' }) {
  const routes = [
    ['/dist/', distDir],
    ['/peers/', join(benchDir, 'dist/peers')],
    ['/', join(benchDir, 'page')],
  ]
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://pages').pathname)
    const [prefix, dir] = routes.find(([p]) => path.startsWith(p))
    let rel = normalize(path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, '')
    if (rel === '' || rel === '.') rel = 'index.html'
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      // Every run starts cold, whatever the browser would have kept.
      'Cache-Control': 'no-store',
    }
    try {
      const body = await readFile(join(dir, rel))
      res.writeHead(200, { ...headers, 'Content-Type': types[extname(rel)] || 'application/octet-stream', 'Content-Length': body.length })
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found')
    }
  })
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address()
      resolve({ url: `http://${host}:${port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()) }) })
    })
  })
}
