// The wasm side of the SDK, started once per page, and the batched channel to
// it: calls made in one task cross into Go together, once, at the next
// microtask (a JS→Go call costs ~14 µs; a batch of a thousand costs one).
import 'go:wasm_exec'

const errorClasses = { TypeError, RangeError }

export class Bridge {
  constructor() {
    this.nextID = 1
    this.waiting = new Map() // id → {resolve, reject}
    this.queue = []
    this.scheduled = false
    this.listeners = null // set by the client: (type, detail) => void
  }

  // start instantiates the wasm module and runs it until it hands over its
  // apply function.
  async start(wasmUrl) {
    const go = new globalThis.Go()
    const booted = new Promise((resolve) => {
      globalThis.__exponeaBoot = (apply) => {
        resolve(apply)
        return {
          done: (text) => this.done(text),
          emit: (type, detail) => this.listeners && this.listeners(type, JSON.parse(detail)),
        }
      }
    })
    let instance
    try {
      const res = await fetch(wasmUrl, { credentials: 'same-origin' })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      instance = WebAssembly.instantiateStreaming && /wasm/.test(res.headers.get('Content-Type') || '')
        ? (await WebAssembly.instantiateStreaming(res, go.importObject)).instance
        : (await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject)).instance
    } catch (e) {
      delete globalThis.__exponeaBoot
      throw new Error(`Exponea: cannot load ${wasmUrl}: ${e && e.message ? e.message : e}`)
    }
    go.run(instance).catch((e) => console.error('[exponea] the wasm module stopped', e))
    this.apply = await booted
    delete globalThis.__exponeaBoot
  }

  // call queues method(argsJSON) and returns a Promise of its value.
  call(method, argsJSON) {
    return new Promise((resolve, reject) => {
      const id = this.nextID++
      this.waiting.set(id, { resolve, reject })
      const t = performance.timeOrigin + performance.now()
      // One line per call: id, method, time, argument, separated by U+001F
      // (see internal/tracker/envelope.go). JSON.stringify output holds
      // neither a raw LF nor a raw U+001F.
      this.queue.push(`${id}\u001f${method}\u001f${t}\u001f${argsJSON === undefined ? '' : argsJSON}`)
      if (!this.scheduled) {
        this.scheduled = true
        queueMicrotask(() => this.drain())
      }
    })
  }

  drain() {
    this.scheduled = false
    const batch = this.queue
    this.queue = []
    if (batch.length) this.apply(batch.join('\n'))
  }

  done(text) {
    for (const r of JSON.parse(text)) {
      const w = this.waiting.get(r.i)
      if (!w) continue
      this.waiting.delete(r.i)
      if (r.e) w.reject(new (errorClasses[r.e.c] || Error)(r.e.m))
      else w.resolve(r.v)
    }
  }
}
