// Bundles each peer's entry (bench/peers/<name>.js, the SDK plus a few lines
// of configuration) into one minified script, as a site would ship it, and
// minifies Go's wasm_exec.js, which the size floor needs as much as the SDK.
import { build } from 'esbuild'
import { readdirSync, mkdirSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

const here = new URL('.', import.meta.url).pathname
mkdirSync(here + 'dist/peers', { recursive: true })

const peers = readdirSync(here + 'peers').filter((f) => f.endsWith('.js') && !f.startsWith('_'))
const common = {
  bundle: true, minify: true, format: 'iife', target: 'es2020', platform: 'browser',
  legalComments: 'none', logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
}
await Promise.all(peers.map((f) => build({ ...common, entryPoints: [here + 'peers/' + f], outfile: here + 'dist/peers/' + f })))

const goroot = process.env.GOROOT || execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim()
await build({ ...common, bundle: false, entryPoints: [goroot + '/lib/wasm/wasm_exec.js'], outfile: here + 'dist/wasm_exec.min.js' })
console.log(`built ${peers.length} peer bundles`)
