// Bundles the loader with Go's wasm_exec.js (the one matching the Go that
// built the wasm) into dist/exponea.mjs and dist/exponea.js, and the Worker
// the Go side runs in into dist/exponea.worker.js.
import { build } from 'esbuild'
import { copyFileSync } from 'node:fs'

const goroot = process.env.GOROOT
if (!goroot) throw new Error('set GOROOT (make build does)')

const goWasmExec = {
  name: 'go-wasm-exec',
  setup(b) {
    b.onResolve({ filter: /^go:wasm_exec$/ }, () => ({ path: `${goroot}/lib/wasm/wasm_exec.js` }))
  },
}
const common = { bundle: true, minify: true, target: 'es2020', plugins: [goWasmExec], logLevel: 'warning', legalComments: 'none' }
await build({ ...common, entryPoints: ['js/src/entry-esm.js'], format: 'esm', outfile: 'dist/exponea.mjs' })
await build({ ...common, entryPoints: ['js/src/entry-script.js'], format: 'iife', outfile: 'dist/exponea.js' })
await build({ ...common, entryPoints: ['js/src/worker.js'], format: 'iife', outfile: 'dist/exponea.worker.js' })
copyFileSync('js/exponea.d.ts', 'dist/exponea.d.ts')
