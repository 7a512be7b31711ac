import { Bridge } from './bridge.js'
import { Client } from './client.js'
import { toJSON, requireObject } from './json.js'

// makeExponea builds the Exponea namespace; defaultWasmUrl says where the
// wasm file is when config.wasmUrl does not.
export function makeExponea(defaultWasmUrl) {
  let started = null // Promise<Client> of the one configure that ran
  let startedWith = ''
  let booted = null // Promise<Bridge>: one wasm instance per page, kept when a configure is refused

  async function start(text, wasmUrl) {
    if (!booted) {
      const bridge = new Bridge()
      booted = bridge.start(wasmUrl).then(() => bridge)
      booted.catch(() => { booted = null })
    }
    const bridge = await booted
    const state = await bridge.call('configure', text)
    return new Client(bridge, state)
  }

  return {
    /**
     * Starts the SDK on this page and resolves to its client. Calling it again
     * with the same configuration returns the same client; with another, it
     * rejects (reload the page to change it).
     */
    configure(config) {
      try {
        requireObject('configure', 'config', config)
        const { wasmUrl, ...rest } = config
        const text = toJSON('configure', 'config', rest)
        if (started) {
          if (text === startedWith) return started
          return Promise.reject(new Error('Exponea.configure: already configured on this page with another configuration; reload the page to change it'))
        }
        startedWith = text
        started = start(text, String(wasmUrl || defaultWasmUrl()))
        started.catch(() => { started = null; startedWith = '' })
        return started
      } catch (e) { return Promise.reject(e) }
    },
  }
}
