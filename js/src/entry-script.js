// The <script> entry: defines window.Exponea and loads exponea.wasm and
// exponea.worker.js from beside the script's own URL.
import { makeExponea } from './exponea.js'

const src = (document.currentScript && document.currentScript.src) || location.href
globalThis.Exponea = makeExponea(() => new URL('exponea.wasm', src), () => new URL('exponea.worker.js', src))
