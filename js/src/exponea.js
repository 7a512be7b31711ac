import { Client } from './client.js'
import { toJSON, requireObject } from './json.js'
import { checkConfig } from './rules.js'
import { adoptSnippets } from './snippet-adopt.js'
import { SDK_VERSION } from './constants.gen.js'
import { checkStart, checkHost } from './start.js'

// makeExponea builds the Exponea namespace; defaultWasmUrl and
// defaultWorkerUrl say where the wasm file and the worker script are when
// config.wasmUrl / config.workerUrl do not.
export function makeExponea(defaultWasmUrl, defaultWorkerUrl) {
  let started = null // the handle the one configure of this page returned
  let startedWith = ''

  return {
    /** The SDK's version. */
    version: SDK_VERSION,

    /**
     * Starts the SDK on this page and returns its client at once: methods
     * work from now on (their calls are journaled and handed over once the
     * SDK has started; `client.ready` says when). Awaiting the client is
     * fine too: it resolves to the client once ready. Bad configuration
     * throws a TypeError or RangeError naming the field. Calling it again
     * with the same configuration returns the same client; with another,
     * it throws (reload the page to change it). visit {time, key}: when
     * the snippet's stub was configured, and the record id of its page's
     * visit (snippet-adopt.js).
     */
    configure(config, visit) {
      requireObject('configure', 'config', config)
      const { wasmUrl, workerUrl, worker, start, host, ...rest } = config
      const text = toJSON('configure', 'config', rest)
      if (started) {
        if (text === startedWith) return started
        throw new Error('Exponea.configure: already configured on this page with another configuration; reload the page to change it')
      }
      const cfg = { ...checkConfig(JSON.parse(text)), start: checkStart(start), host: checkHost(host, worker) }
      if (typeof window === 'undefined' || typeof document === 'undefined') {
        throw new Error('Exponea.configure: there is no page here (server-side rendering?); configure the SDK in the browser')
      }
      const url = (u) => new URL(String(u), location.href).href // a Worker resolves against its own URL
      const client = new Client(cfg, text, {
        wasm: url(wasmUrl || defaultWasmUrl()),
        worker: cfg.host === 'page' ? '' : url(workerUrl || defaultWorkerUrl()),
      }, visit)
      started = client
      startedWith = text
      adoptSnippets(cfg.dbName, client)
      return started
    },
  }
}
