import { Bridge } from './bridge.js'
import { Client, pageState } from './client.js'
import { toJSON, requireObject } from './json.js'

// makeExponea builds the Exponea namespace; defaultWasmUrl and
// defaultWorkerUrl say where the wasm file and the worker script are when
// config.wasmUrl / config.workerUrl do not.
export function makeExponea(defaultWasmUrl, defaultWorkerUrl) {
  let started = null // Promise<Client> of the one configure that ran
  let startedWith = ''
  let booted = null // Promise<Bridge>: one wasm instance per page, kept when a configure is refused

  async function start(text, wasmUrl, workerUrl) {
    if (!booted) {
      const bridge = new Bridge()
      booted = bridge.start(wasmUrl, workerUrl).then(() => bridge)
      booted.catch(() => { booted = null })
    }
    const bridge = await booted
    const state = await bridge.call('configure', `{"config":${text},"page":${JSON.stringify(pageState())}}`)
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
        const { wasmUrl, workerUrl, worker, ...rest } = config
        const text = toJSON('configure', 'config', rest)
        if (started) {
          if (text === startedWith) return started
          return Promise.reject(new Error('Exponea.configure: already configured on this page with another configuration; reload the page to change it'))
        }
        startedWith = text
        const url = (u) => new URL(String(u), location.href).href // a Worker resolves against its own URL
        started = start(text, url(wasmUrl || defaultWasmUrl()), worker === false ? '' : url(workerUrl || defaultWorkerUrl()))
        started.catch(() => { started = null; startedWith = '' })
        return started
      } catch (e) { return Promise.reject(e) }
    },
  }
}
