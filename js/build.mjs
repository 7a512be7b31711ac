// Bundles the loader with Go's wasm_exec.js (the one matching the Go that
// built the wasm) into dist/exponea.mjs and dist/exponea.js, the Worker the
// Go side runs in into dist/exponea.worker.js, the classic script with the
// Bloomreach-style facade into dist/exponea.bloomreach.js, and minifies the
// snippet a page inlines before exponea.js into dist/exponea.snippet.js.
import { build, transform } from 'esbuild'
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

const goroot = process.env.GOROOT
if (!goroot) throw new Error('set GOROOT (make build does)')

// wasm_exec.js runs as it loads: it defines the global Go, and fs, process
// and path where the global scope has none. Bundled as it is, loading the
// SDK on a page would give every page a `process` without `env` — which
// page code takes for Node's (`typeof process !== 'undefined' &&
// process.env.NODE_ENV` throws) — though the Go program runs in a Worker.
// So it is bundled as a function, installGo, that runs it: load.js calls it
// where a Go program starts (the Worker; the page only with host 'page').
const goWasmExec = {
  name: 'go-wasm-exec',
  setup(b) {
    b.onResolve({ filter: /^go:wasm_exec$/ }, () => ({ path: `${goroot}/lib/wasm/wasm_exec.js`, namespace: 'go-wasm-exec' }))
    b.onLoad({ filter: /.*/, namespace: 'go-wasm-exec' }, (args) => ({
      contents: `export function installGo() {\n${readFileSync(args.path, 'utf8')}\n}\n`,
      loader: 'js',
    }))
  },
}
const common = { bundle: true, minify: true, target: 'es2020', plugins: [goWasmExec], logLevel: 'warning', legalComments: 'none' }
await build({ ...common, entryPoints: ['js/src/entry-esm.js'], format: 'esm', outfile: 'dist/exponea.mjs' })
await build({ ...common, entryPoints: ['js/src/entry-script.js'], format: 'iife', outfile: 'dist/exponea.js' })
await build({ ...common, entryPoints: ['js/src/worker.js'], format: 'iife', outfile: 'dist/exponea.worker.js' })
await build({ ...common, entryPoints: ['js/src/entry-bloomreach.js'], format: 'iife', outfile: 'dist/exponea.bloomreach.js' })
copyFileSync('js/exponea.d.ts', 'dist/exponea.d.ts')
// The snippet is pasted into pages, not loaded: minified, with no wrapper.
const snippet = await transform(readFileSync('js/src/snippet.js', 'utf8'), { minify: true, target: 'es2015', legalComments: 'none' })
writeFileSync('dist/exponea.snippet.js', snippet.code)

// The package ships others' code: Go's runtime and standard library in
// exponea.wasm, Go's wasm_exec.js in the scripts, and the Go modules the
// wasm links. Their licenses ask that their notices go with it (the
// minified files keep no comments): dist/THIRD_PARTY_LICENSES.txt has
// each one's, the modules as `go list` finds them linked into ./wasm.
const notices = [
  { name: 'Go (the Go runtime and standard library, in exponea.wasm; Go\'s wasm_exec.js, in exponea.js, exponea.mjs, exponea.worker.js and exponea.bloomreach.js)', dir: goroot },
]
const modules = execFileSync(join(goroot, 'bin', 'go'), ['list', '-deps', '-f', '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}', './wasm'],
  { env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' }, encoding: 'utf8' })
for (const row of [...new Set(modules.split('\n').filter(Boolean))].sort()) {
  const [path, version, dir] = row.split(' ')
  notices.push({ name: `${path} ${version} (in exponea.wasm)`, dir })
}
let text = 'Third-party software in this package, and its licenses.\n'
for (const n of notices) {
  text += `\n${'='.repeat(78)}\n${n.name}\n${'='.repeat(78)}\n\n`
  for (const f of ['LICENSE', 'NOTICE']) {
    if (existsSync(join(n.dir, f))) text += readFileSync(join(n.dir, f), 'utf8').trimEnd() + '\n'
    else if (f === 'LICENSE') throw new Error(`no LICENSE in ${n.dir} (${n.name})`)
  }
}
writeFileSync('dist/THIRD_PARTY_LICENSES.txt', text)
