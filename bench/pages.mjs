// The page server: the bench page, the harness, the peer bundles and the
// SDK's dist/, on a loopback port of its own (the sink is on another, so
// every SDK request is cross-origin).
//
// Every SDK's files are served as a CDN would serve them: brotli
// (`Content-Encoding: br`, quality 11) when the request accepts it, raw
// otherwise. The SDK's wasm goes out as `make build`'s own exponea.wasm.br
// (checked to decode to exponea.wasm); every other file is compressed once,
// here, at start-up, and kept in memory. Three views of the same files:
//
//   /dist/…, /peers/…, /floor/…     brotli, `Cache-Control: no-store` (cold runs)
//   /raw/dist/…, /raw/peers/…       never compressed, `no-store`
//   /cached/dist/…, /cached/peers/… brotli, `Cache-Control: public,
//                                   max-age=3600` and an ETag (second visit:
//                                   Chromium keeps compiled wasm in its code
//                                   cache only for cacheable responses)
//
// The SDK's loader finds its wasm and Worker beside its own URL, so a page
// that loads /raw/dist/exponea.js gets the raw wasm too.
//
// The page is cross-origin isolated (COOP + COEP), which gives
// performance.now() 5 µs resolution instead of 100 µs; every subresource
// is same-origin with CORP, as COEP require-corp demands.
import http from 'node:http'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { extname, join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, constants as zc } from 'node:zlib'

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', // lets the SDK compile while it downloads
}

const brotli = (b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_LGWIN]: 24, [zc.BROTLI_PARAM_SIZE_HINT]: b.length } })

// load reads every file of dir (or the names given) into memory with its
// brotli form and ETag.
function load(dir, log, names = readdirSync(dir)) {
  const files = new Map()
  for (const name of names) {
    if (name.endsWith('.br') || name.endsWith('.gz')) continue
    const raw = readFileSync(join(dir, name))
    let br = null
    const pre = join(dir, name + '.br')
    if (existsSync(pre)) {
      const b = readFileSync(pre)
      // A stale or foreign .br must not be served as this file.
      if (brotliDecompressSync(b).equals(raw)) br = b
      else log(`pages: ${pre} does not decode to ${name}: compressing it here instead`)
    }
    if (!br) br = brotli(raw)
    const tag = createHash('sha256').update(raw).digest('base64url').slice(0, 22)
    files.set(name, { raw, br, tag, type: types[extname(name)] || 'application/octet-stream' })
  }
  return files
}

// heroImage is the page-content measurement's main image: an uncompressed
// 24-bit BMP of 520×520 noise (~811 KB), as incompressible as a photo's
// JPEG, made here rather than kept in the repository; served as it is.
export function heroImage(side = 520, seed = 1) {
  const row = Math.ceil((side * 3) / 4) * 4
  const size = 54 + row * side
  const b = Buffer.alloc(size)
  b.write('BM', 0)
  b.writeUInt32LE(size, 2)
  b.writeUInt32LE(54, 10)
  b.writeUInt32LE(40, 14)
  b.writeInt32LE(side, 18)
  b.writeInt32LE(side, 22)
  b.writeUInt16LE(1, 26)
  b.writeUInt16LE(24, 28)
  b.writeUInt32LE(row * side, 34)
  let x = seed >>> 0 || 1
  for (let i = 54; i < size; i++) { // xorshift: the same bytes every run
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0
    b[i] = x & 0xff
  }
  return b
}

// contentPage is content.html with the SDK of ?sdk= in its head, loaded as
// a site loads an analytics SDK: <script async>, then its configuration
// and 3 events once it has run (measure.js, bench.content). 'none': no SDK.
function contentPage(html, sdk) {
  const src = sdk === 'this' ? '/dist/exponea.js' : `/peers/${sdk}.js`
  const tag = /^[a-z]+$/.test(sdk || '') && sdk !== 'none'
    ? `<script async src="${src}" onload="bench.content('${sdk}')"></script>`
    : ''
  return Buffer.from(String(html).replace('<!--SDK-->', tag))
}

export function startPages({ benchDir, distDir, host = '127.0.0.1', log = () => {} }) {
  const dirs = {
    dist: load(distDir, log),
    peers: load(join(benchDir, 'dist/peers'), log),
    page: load(join(benchDir, 'page'), log),
    // The size floor and Go's wasm_exec.js (bench.floor's cold start).
    floor: load(join(benchDir, 'dist'), log, ['floor.wasm', 'wasm_exec.min.js']),
  }
  const hero = heroImage()
  dirs.page.set('hero.bmp', { raw: hero, br: null, tag: createHash('sha256').update(hero).digest('base64url').slice(0, 22), type: 'image/bmp' })
  // handler serves one listener; served counts what it sent of the SDKs'
  // files (the runs check that the browser took brotli, and that a second
  // visit came from its cache).
  // Under /plain/ the same files go without COOP/COEP/CORP: a page that is
  // not cross-origin isolated, as most sites' are not. The phases of
  // several pages use it: Chromium runs the SharedWorker of an isolated
  // page in a renderer process of its own (~85 MB more), of a plain page
  // in the page's (bench/sharedworker-memory.mjs).
  const handler = (served) => (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://pages').pathname)
    const plain = path.startsWith('/plain/')
    if (plain) path = path.slice('/plain'.length)
    const headers = plain ? {} : {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    }
    // /[raw/|cached/](dist|peers|floor)/name, or a page file.
    const m = /^\/(?:(raw|cached)\/)?(dist|peers|floor)\/([^/]+)$/.exec(path)
    const mode = m ? m[1] || 'cdn' : 'cdn'
    let file = m ? dirs[m[2]].get(m[3]) : dirs.page.get(path === '/' ? 'index.html' : path.slice(1))
    if (file && path === '/content.html') {
      const raw = contentPage(file.raw, new URL(req.url, 'http://pages').searchParams.get('sdk'))
      file = { ...file, raw, br: brotli(raw) }
    }
    if (!file) {
      res.writeHead(404, { ...headers, 'Cache-Control': 'no-store', 'Content-Type': 'text/plain' }).end('not found')
      return
    }
    const useBr = mode !== 'raw' && !!file.br && /\bbr\b/.test(req.headers['accept-encoding'] || '') // an image goes as it is
    const body = useBr ? file.br : file.raw
    headers['Content-Type'] = file.type
    if (mode !== 'raw') headers.Vary = 'Accept-Encoding'
    if (useBr) headers['Content-Encoding'] = 'br'
    if (mode === 'cached') {
      // A strong validator per representation.
      headers.ETag = `"${file.tag}${useBr ? '-br' : ''}"`
      headers['Cache-Control'] = 'public, max-age=3600'
      if ((req.headers['if-none-match'] || '').split(/\s*,\s*/).includes(headers.ETag)) {
        if (m) served.notModified++
        res.writeHead(304, headers).end()
        return
      }
    } else {
      // Every cold run starts cold, whatever the browser would have kept.
      headers['Cache-Control'] = 'no-store'
    }
    headers['Content-Length'] = body.length
    if (m) {
      if (useBr) { served.br++; served.brBytes += body.length } else { served.raw++; served.rawBytes += body.length }
    }
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  // listen starts one listener on a port of its own: a page origin of its
  // own (fresh() gives the second-visit measurements one each, so no two
  // share an HTTP cache, a code cache or storage).
  const listen = () => new Promise((resolve) => {
    const served = { br: 0, raw: 0, notModified: 0, brBytes: 0, rawBytes: 0 }
    const server = http.createServer(handler(served))
    server.listen(0, host, () => {
      const { port } = server.address()
      resolve({
        url: `http://${host}:${port}`,
        served: () => ({ ...served }),
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()) }),
      })
    })
  })
  return listen().then((main) => ({
    ...main,
    fresh: listen,
    // The bytes a file goes out as: {raw, br}.
    sizeOf: (dir, name) => { const f = dirs[dir].get(name); return f && { raw: f.raw.length, br: f.br.length } },
  }))
}
