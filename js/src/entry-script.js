// The <script> entry: defines window.Exponea and loads exponea.wasm and
// exponea.worker.js from beside the script's own URL. If the snippet's stub
// is there, it takes over the calls queued on it.
import { makeExponea } from './exponea.js'
import { adoptStub } from './snippet-adopt.js'

const src = (document.currentScript && document.currentScript.src) || location.href
const stub = globalThis.Exponea
globalThis.Exponea = makeExponea(() => new URL('exponea.wasm', src), () => new URL('exponea.worker.js', src))
if (stub && Array.isArray(stub.q) && stub.client) adoptStub(stub, globalThis.Exponea)
