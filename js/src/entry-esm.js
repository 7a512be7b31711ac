// The npm / ES module entry: loads exponea.wasm from beside this file.
import { makeExponea } from './exponea.js'

export const Exponea = makeExponea(() => new URL('./exponea.wasm', import.meta.url))
export default Exponea
