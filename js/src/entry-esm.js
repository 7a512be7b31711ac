// The npm / ES module entry: loads exponea.wasm and exponea.worker.js from
// beside this file.
import { makeExponea } from './exponea.js'

export const Exponea = makeExponea(
  () => new URL('./exponea.wasm', import.meta.url),
  () => new URL('./exponea.worker.js', import.meta.url),
)
export default Exponea
