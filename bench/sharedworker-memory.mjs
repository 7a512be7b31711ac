// What a SharedWorker costs in memory in Chromium (issue 23), beside a
// dedicated Worker and no worker: the RSS of Chromium's process tree, and
// its process count, with one idle page of each kind, on a plain page and
// on a cross-origin isolated one (COOP + COEP). Run from the repository
// root: node bench/sharedworker-memory.mjs
//
// Measured on Chromium 156: on a plain page a SharedWorker (with or
// without extendedLifetime) runs in the page's renderer and costs a few MB,
// as a dedicated Worker does; on an isolated page Chromium gives it a
// renderer process of its own, ~85 MB more.
import { chromium } from 'playwright-core'
import { createServer } from 'node:http'
import { readFileSync, readdirSync } from 'node:fs'

const WORKER = "onconnect = (e) => e.ports[0].postMessage('hi'); onmessage = () => postMessage('hi'); self.big = new Uint8Array(1 << 20).fill(1)"
const PAGE = (kind, iso) => `<!doctype html><script>
const k = ${JSON.stringify(kind)}
const w = '/w.js${iso ? '?iso=1' : ''}'
const ok = () => { document.title = 'ok' }
if (k === 'sharedworker') new SharedWorker(w, { name: 'a' }).port.onmessage = ok
if (k === 'sharedworker, extendedLifetime') new SharedWorker(w, { name: 'b', extendedLifetime: true }).port.onmessage = ok
if (k === 'worker') { const d = new Worker(w); d.onmessage = ok; d.postMessage(1) }
if (k === 'none') ok()
</script>`
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' }

const server = createServer((req, res) => {
  const u = new URL(req.url, 'http://x')
  const h = u.searchParams.get('iso') ? ISOLATED : {}
  if (u.pathname.endsWith('/w.js')) return res.writeHead(200, { 'Content-Type': 'text/javascript', ...h }).end(WORKER)
  res.writeHead(200, { 'Content-Type': 'text/html', ...h }).end(PAGE(u.searchParams.get('k'), !!u.searchParams.get('iso')))
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}`

// tree: Chromium's processes under this Node process, and their RSS.
function tree() {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((pid) => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return { pid: Number(pid), ppid: Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]), cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') }
    } catch { return null }
  }).filter(Boolean)
  const mine = new Set([process.pid])
  for (let grew = true; grew;) {
    grew = false
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) { mine.add(p.pid); grew = true }
  }
  let rss = 0, n = 0
  for (const p of procs) {
    if (!mine.has(p.pid) || !/chrom/.test(p.cmd)) continue
    n++
    try { rss += Number(readFileSync(`/proc/${p.pid}/statm`, 'utf8').split(' ')[1]) * 4096 } catch {}
  }
  return { n, rss }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] })
try {
  for (const iso of [false, true]) {
    for (const k of ['none', 'worker', 'sharedworker', 'sharedworker, extendedLifetime']) {
      const reads = []
      for (let rep = 0; rep < 2; rep++) {
        const ctx = await browser.newContext()
        const page = await ctx.newPage()
        await page.goto(`${base}/?k=${encodeURIComponent(k)}${iso ? '&iso=1' : ''}`)
        await page.waitForFunction(() => document.title === 'ok', undefined, { timeout: 10000 })
        await sleep(1500)
        reads.push(tree())
        await ctx.close()
        await sleep(1500)
      }
      console.log(`${iso ? 'isolated' : 'plain   '} ${k.padEnd(32)} ${reads.map((t) => `${t.n} processes ${(t.rss / 2 ** 20).toFixed(0)} MB`).join(' | ')}`)
    }
  }
} finally {
  await browser.close()
  server.close()
}
