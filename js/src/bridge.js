// The channel to the Go side, which runs in a dedicated Worker when it can
// (the page's main thread then pays only for serializing calls and posting
// them) and on the page otherwise. Calls made in one task cross together,
// once, at the next microtask: a JS→Go call costs ~14 µs, a batch of a
// thousand costs one.
import { runGo } from './load.js'
import { MAX_CALLS_PER_APPLY } from './constants.gen.js'

const errorClasses = { TypeError, RangeError }


export class Bridge {
  constructor() {
    this.nextID = 1
    this.waiting = new Map() // id → {resolve, reject}
    this.queue = []
    this.scheduled = false
    this.listeners = null // (type, detail) => void, set by the client
    this.internal = null // (type, text) => void: the close path's mirror
    this.early = [] // internal events from before the client attached (configure's own records)
    this.where = '' // 'worker' or 'page'
  }

  // start runs the Go side: in a Worker from workerUrl, or, if there is none
  // or it cannot start (no Worker support, a cross-origin script, a CSP
  // that forbids it), on the page.
  async start(wasmUrl, workerUrl) {
    const hooks = { done: (text) => this.done(text), emit: (kind, detail) => this.event(kind, detail) }
    if (workerUrl && typeof Worker === 'function') {
      try {
        this.apply = await startWorker(wasmUrl, workerUrl, hooks)
        this.where = 'worker'
        return
      } catch (e) {
        console.warn(`[exponea] running on the page: the worker did not start (${e && e.message ? e.message : e})`)
      }
    }
    this.apply = await runGo(wasmUrl, hooks)
    this.where = 'page'
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

  // tell sends a call whose answer nobody waits for.
  tell(method, argsJSON) { this.call(method, argsJSON).catch(() => {}) }

  drain() {
    this.scheduled = false
    const batch = this.queue
    this.queue = []
    // A burst goes over in pieces the Go side stores one at a time, so its
    // heap never holds the whole burst (see sdk.MaxCallsPerApply).
    for (let i = 0; i < batch.length; i += MAX_CALLS_PER_APPLY) this.apply(batch.slice(i, i + MAX_CALLS_PER_APPLY).join('\n'))
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

  event(kind, detail) {
    if (kind[0] !== '_') {
      if (this.listeners) this.listeners(kind, JSON.parse(detail))
    } else if (this.internal) this.internal(kind, detail)
    else this.early.push([kind, detail])
  }

  // attach sets the handler of internal events and replays the early ones.
  attach(fn) {
    this.internal = fn
    for (const [kind, detail] of this.early) fn(kind, detail)
    this.early = []
  }
}

// startWorker resolves with the function that posts a batch to the worker
// once the Go side there has booted (worker.js has the protocol).
function startWorker(wasmUrl, workerUrl, hooks) {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl)
    const fail = (msg) => {
      clearTimeout(timer)
      w.terminate()
      reject(new Error(msg))
    }
    const timer = setTimeout(() => fail('no answer in 20 s'), 20000)
    w.onerror = (e) => {
      e.preventDefault()
      fail(e.message || 'cannot load the worker script')
    }
    w.onmessage = (e) => {
      const m = e.data
      switch (m.t) {
        case 'ready':
          clearTimeout(timer)
          w.onerror = (e) => console.error('[exponea] worker error', e.message)
          resolve((text) => w.postMessage(text))
          break
        case 'fail': fail(m.message); break
        case 'done': hooks.done(m.text); break
        case 'emit': hooks.emit(m.kind, m.detail); break
      }
    }
    w.postMessage({ wasmUrl: String(wasmUrl) })
  })
}
