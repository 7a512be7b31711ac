// The <script> entry with the Bloomreach-style facade: defines
// window.Exponea, as exponea.js does, and window.exponea (bloomreach.js).
import { makeExponea } from './exponea.js'
import { bloomreachFacade } from './bloomreach.js'

const src = (document.currentScript && document.currentScript.src) || location.href
globalThis.Exponea = makeExponea(() => new URL('exponea.wasm', src), () => new URL('exponea.worker.js', src))
globalThis.exponea = bloomreachFacade(globalThis.Exponea)
