// The npm package outside a browser, as its users meet it: npm pack's
// tarball as `make examples-npm` installed it into the example apps
// (`make test-examples` runs this file).
// - TypeScript: typescript/example.ts, which uses every method and
//   configuration field, type-checks with strict settings against the
//   shipped exponea.d.ts, with a bundler's resolution and with Node's.
// - Server-side rendering: importing the package in Node does not throw
//   (nor does require, which Node ≥ 20.19 serves with the ES module); calling
//   configure there throws an Error that says why.
// - What the bundled apps ship: the wasm as the package has it, and each
//   file's size raw, gzip -9 and brotli (quality 11), printed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, readdir, lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync, gunzipSync, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '../..')
const version = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version

// run runs a command in dir; a failure rejects with its output.
async function run(dir, cmd, args) {
  try {
    return (await promisify(execFile)(cmd, args, { cwd: join(here, dir), timeout: 60000 })).stdout
  } catch (e) {
    throw new Error(`${[cmd, ...args].join(' ')} in ${dir} failed:\n${e.stdout}${e.stderr}`)
  }
}

test('each example has the package from the tarball of this tree (not a link to it)', async () => {
  const shipped = (await readdir(join(root, 'dist'))).filter((f) => /\.(m?js|d\.ts)$|^exponea\.wasm$|^THIRD_PARTY_LICENSES\.txt$/.test(f))
  for (const dir of ['vite', 'webpack', 'typescript']) {
    const pkg = join(here, dir, 'node_modules/exponea-wasm')
    assert.equal((await lstat(pkg)).isSymbolicLink(), false, `${pkg} is a link`)
    assert.equal(JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')).version, version)
    assert.deepEqual((await readdir(join(pkg, 'dist'))).sort(), shipped.sort(), `${dir}: the package's dist/`)
    for (const f of shipped) assert.ok((await readFile(join(pkg, 'dist', f))).equals(await readFile(join(root, 'dist', f))), `${dir}: ${f} is stale`)
  }
})

// The package ships Go's runtime, its wasm_exec.js and the Go modules the
// wasm links; their licenses go with them.
test('the package carries the license of Go and of every Go module its wasm links', async () => {
  const text = await readFile(join(here, 'vite/node_modules/exponea-wasm/dist/THIRD_PARTY_LICENSES.txt'), 'utf8')
  const go = await readFile(join((await run('.', 'go', ['env', 'GOROOT'])).trim(), 'LICENSE'), 'utf8')
  assert.ok(text.includes(go.trim()), "Go's LICENSE")
  const linked = (await promisify(execFile)('go', ['list', '-deps', '-f', '{{with .Module}}{{if not .Main}}{{.Path}} {{.Dir}}{{end}}{{end}}', './wasm'],
    { cwd: root, env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' } })).stdout.split('\n').filter(Boolean)
  assert.ok(linked.length >= 2, `the modules linked: ${linked}`)
  for (const row of new Set(linked)) {
    const [path, dir] = row.split(' ')
    assert.ok(text.includes(path), `${path} named`)
    assert.ok(text.includes((await readFile(join(dir, 'LICENSE'), 'utf8')).trim()), `${path}: its LICENSE`)
  }
})

for (const [tsconfig, resolution] of [['tsconfig.json', 'a bundler\'s'], ['tsconfig.node.json', 'Node\'s (nodenext)']]) {
  test(`tsc --noEmit, strict: example.ts against the shipped exponea.d.ts, with ${resolution} resolution`, async () => {
    await run('typescript', join(here, 'typescript/node_modules/.bin/tsc'), ['-p', tsconfig])
  })
}

// ssr runs script as an ES module (or, with cjs, a CommonJS one) in Node,
// in the Vite example (whose node_modules has the package), and returns
// what it printed, parsed.
async function ssr(script, { cjs = false } = {}) {
  return JSON.parse(await run('vite', process.execPath, [`--input-type=${cjs ? 'commonjs' : 'module'}`, '-e', script]))
}

const probe = `
  const out = { version: Exponea.version, configure: typeof Exponea.configure }
  try { Exponea.configure({ projectToken: 'demo' }); out.configured = true } catch (e) { out.error = { name: e.name, message: e.message } }
  try { Exponea.configure({}) } catch (e) { out.badConfig = { name: e.name, message: e.message } }
  console.log(JSON.stringify(out))`

function assertServerSide(out) {
  assert.equal(out.version, version)
  assert.equal(out.configure, 'function')
  assert.equal(out.configured, undefined, 'configure returned in Node')
  assert.deepEqual(out.error, { name: 'Error', message: 'Exponea.configure: there is no page here (server-side rendering?); configure the SDK in the browser' })
  // Bad configuration is refused the same way as in a browser, naming the field.
  assert.deepEqual(out.badConfig, { name: 'TypeError', message: 'configure: projectToken must be a non-empty string' })
}

test('SSR: import { Exponea } from \'exponea-wasm\' in Node does not throw; configure throws a clear Error', async () => {
  const out = await ssr(`import { Exponea } from 'exponea-wasm'\nimport Default from 'exponea-wasm'\n${probe.replace('const out = {', 'const out = { same: Default === Exponea,')}`)
  assert.equal(out.same, true)
  assertServerSide(out)
})

test('SSR: require(\'exponea-wasm\') in Node does not throw; configure throws a clear Error', {
  skip: !process.features.require_module && `Node ${process.version} cannot require an ES module (Node ≥ 20.19 can); the package ships no CommonJS build`,
}, async () => {
  assertServerSide(await ssr(`const { Exponea } = require('exponea-wasm')\n${probe}`, { cjs: true }))
})

// What the built apps ship, file by file (the test below fills it): the
// figures docs/npm.md quotes are checked against it.
const measured = []

test('the built apps ship the package\'s wasm as it is; their sizes', async () => {
  const wasm = await readFile(join(root, 'dist/exponea.wasm'))
  // The wasm's compressed sizes are those of dist/exponea.wasm.gz and .br
  // (make build: gzip -9, brotli -q 11), once they are seen to hold this
  // wasm: compressing 4 MB at brotli's quality 11 here again would take
  // 10 s an app.
  const [gz, br] = await Promise.all(['gz', 'br'].map((x) => readFile(join(root, `dist/exponea.wasm.${x}`))))
  assert.ok(gunzipSync(gz).equals(wasm), 'dist/exponea.wasm.gz is not of dist/exponea.wasm')
  assert.ok(brotliDecompressSync(br).equals(wasm), 'dist/exponea.wasm.br is not of dist/exponea.wasm')
  const wasmSizes = [wasm.length, gz.length, br.length]
  const lines = []
  for (const app of ['vite', 'webpack']) {
    const out = join(here, app, 'dist')
    const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((f) => f.isFile())
    const wasms = []
    let total = [0, 0, 0]
    for (const f of files) {
      const path = join(f.parentPath, f.name)
      const body = await readFile(path)
      if (f.name.endsWith('.wasm')) wasms.push(body)
      const sizes = body.equals(wasm) ? wasmSizes
        : [body.length, gzipSync(body, { level: 9 }).length, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length]
      total = total.map((t, i) => t + sizes[i])
      measured.push({ app, file: path.slice(out.length + 1), sizes })
      lines.push(`${app.padEnd(8)} ${path.slice(out.length + 1).padEnd(36)} ${sizes.map((n) => String(n).padStart(9)).join(' ')}`)
    }
    lines.push(`${app.padEnd(8)} ${'total'.padEnd(36)} ${total.map((n) => String(n).padStart(9)).join(' ')}`)
    assert.equal(wasms.length, 1, `${app}: one .wasm in its output`)
    assert.ok(wasms[0].equals(wasm), `${app}: the emitted wasm differs from dist/exponea.wasm`)
  }
  console.log(`${'app'.padEnd(8)} ${'file'.padEnd(36)} ${['raw', 'gzip -9', 'brotli 11'].map((h) => h.padStart(9)).join(' ')}\n${lines.join('\n')}`)
})

// The sizes the documentation quotes, against what was just measured: a
// figure more than 10% off (the code changed since it was written) fails,
// naming the figure to write. docs/npm.md's table of what the apps ship;
// docs/serving.md's sizes of the wasm; the README's size of the snippet.
// A tiny file's brotli size also moves with the content hashes in it:
// webpack's 233-byte index.html, whose only change is its bundle's hash,
// came to 121-150 bytes over 30 random hashes (brotli -q 11), so a figure
// is near within 10% or 32 bytes.
const near = (doc, got) => Math.abs(doc - got) <= Math.max(0.1 * got, 32)
test('the sizes in the docs are within 10% of what is measured', async () => {
  assert.ok(measured.length > 0, 'the apps\' sizes were not measured (the test above failed?)')
  const bad = []
  const npm = await readFile(join(root, 'docs/npm.md'), 'utf8')
  const rows = [...npm.matchAll(/^\| (Vite|webpack) \| `([^`]+)`[^|]*\| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|$/gm)]
  assert.equal(rows.length, measured.length, `docs/npm.md has ${rows.length} rows of sizes; the apps ship ${measured.length} files`)
  for (const [, app, name, ...cells] of rows) {
    const re = new RegExp('^' + name.replace(/[.*+?^${}()|\\]/g, '\\$&').replace(/\\\[hash\\\]|\[hash\]/g, '[A-Za-z0-9_-]+') + '$')
    const m = measured.filter((x) => x.app === app.toLowerCase() && re.test(x.file))
    if (m.length !== 1) { bad.push(`docs/npm.md: ${app} ${name} matches ${m.length} files`); continue }
    cells.map((c) => Number(c.replace(/,/g, ''))).forEach((doc, i) => {
      if (!near(doc, m[0].sizes[i])) bad.push(`docs/npm.md: ${app} ${name} ${['raw', 'gzip', 'brotli'][i]} ${doc}, measured ${m[0].sizes[i]}`)
    })
  }
  const wasm = (await readFile(join(root, 'dist/exponea.wasm'))).length
  const [gz, br] = await Promise.all(['gz', 'br'].map(async (x) => (await readFile(join(root, `dist/exponea.wasm.${x}`))).length))
  const serving = await readFile(join(root, 'docs/serving.md'), 'utf8')
  const w = serving.match(/The wasm is ([\d.]+) MB raw, ~([\d.]+) MB with brotli, ~([\d.]+) MB with\s+gzip/)
  assert.ok(w, 'docs/serving.md: the sentence with the wasm\'s sizes is gone')
  const mb = 1e6
  for (const [doc, got, what] of [[w[1], wasm, 'raw'], [w[2], br, 'brotli'], [w[3], gz, 'gzip']]) {
    if (!near(Number(doc) * mb, got)) bad.push(`docs/serving.md: wasm ${what} ${doc} MB, measured ${(got / mb).toFixed(2)} MB`)
  }
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const sn = readme.match(/`dist\/exponea\.snippet\.js`, about ([\d.]+) KB/)
  assert.ok(sn, 'README.md: the snippet\'s size is gone')
  const snippet = (await readFile(join(root, 'dist/exponea.snippet.js'))).length
  if (!near(Number(sn[1]) * 1000, snippet)) bad.push(`README.md: snippet about ${sn[1]} KB, measured ${snippet} bytes`)
  assert.deepEqual(bad, [])
})

