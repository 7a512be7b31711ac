// In-page measurement code, loaded before any SDK. Driven by bench/run.mjs
// through page.evaluate; every SDK is measured by the same functions here.
// Peer bundles define window.benchPeer = {init(cfg), track(seq, phase)};
// the SDK under test is loaded from its real <script> entry, and its adapter
// is below.
'use strict'
;(() => {
  const now = () => performance.now()

  // Go's wasm exports its linear memory as `mem`, but the SDK does not expose
  // its instance: keep the instances the page creates, to read the size later.
  const instances = []
  const wrap = (name) => {
    const orig = WebAssembly[name]
    if (!orig) return
    WebAssembly[name] = async function (...args) {
      const r = await orig.apply(this, args)
      instances.push(r.instance || r)
      return r
    }
  }
  wrap('instantiate')
  wrap('instantiateStreaming')

  const props = (run, phase, seq) => ({ seq, phase, run, item_name: 'coffee beans', price: 12.9, on_sale: false })

  // The SDK under test. trackEvent's Promise resolves once the event is in
  // IndexedDB; the burst does not await it, as a page would not.
  // init records when configure is called, in ms since the script was
  // added (t0): the loader's own download, parse and evaluation; and
  // returns the SDK's own account of its start (client.startup, ms since
  // configure was called).
  let exponea = null
  const thisSDK = {
    async init({ sink, run, host }, t0) {
      this.run = run
      const configureAt = now() - t0
      exponea = await window.Exponea.configure({
        projectToken: 'bench',
        authorization: 'Token bench-key',
        baseUrl: sink + '/exponea',
        host, // undefined: the default
      })
      if (exponea.runsIn === 'page') console.warn(`[bench] the SDK runs on the page, not in a worker: ${exponea.startup.hostReason}`)
      return { loader: configureAt, ...exponea.startup, runsIn: exponea.runsIn }
    },
    track(seq, phase) { return exponea.trackEvent({ name: 'bench', properties: props(this.run, phase, seq) }) },
  }

  const loadScript = (src) => new Promise((resolve, reject) => {
    const s = document.createElement('script')
    s.src = src
    s.onload = () => resolve()
    s.onerror = () => reject(new Error(`cannot load ${src}`))
    document.head.append(s)
  })

  let sdk = null
  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
  }

  window.bench = {
    isolated: () => self.crossOriginIsolated === true,

    // Loads and starts one SDK; ready_ms runs from adding its script to the
    // page until it says it is ready. prefix picks how the files are served
    // ('' as a CDN would, brotli and no-store; '/raw': uncompressed;
    // '/cached': cacheable). 'idle' loads nothing: its track only builds the
    // properties an SDK's call would be given (the idle page of the trickle
    // phase). For the SDK under test, startup is its breakdown (thisSDK.init).
    async load(name, cfg, prefix = '') {
      if (name === 'idle') {
        sdk = { run: cfg.run, track(seq, phase) { return props(this.run, phase, seq) } }
        return { ready_ms: 0 }
      }
      const t0 = now()
      if (name === 'this') {
        await loadScript(`${prefix}/dist/exponea.js`)
        sdk = thisSDK
      } else {
        await loadScript(`${prefix}/peers/${name}.js`)
        sdk = window.benchPeer
      }
      const startup = await sdk.init(cfg, t0)
      // Counted from when the SDK starts its own loading: this SDK waits
      // for the page's content and an idle moment before it fetches its
      // wasm (start: 'idle'); that wait (startup.waited) is the page's time,
      // not the SDK's, and is reported apart. A page that joined the
      // origin's running SharedWorker did not wait for the page: its short
      // wait was the SDK's own question to the worker, and counts.
      const waited = startup && !startup.joined ? startup.waited || 0 : 0
      return { ready_ms: now() - t0 - waited, startup: startup || null }
    },

    // The floor's cold start (floor-worker.js): from creating a dedicated
    // Worker until the smallest Go program that links what the SDK must
    // has started and run its main. What no Go SDK's ready can go under.
    floor() {
      const t0 = now()
      return new Promise((resolve, reject) => {
        const w = new Worker('/floor-worker.js')
        w.onmessage = (e) => {
          const ready_ms = now() - t0
          w.terminate()
          if (e.data.error || !e.data.id) reject(new Error('floor: ' + (e.data.error || 'no id')))
          else resolve({ ready_ms })
        }
        w.onerror = (e) => reject(new Error('floor: ' + e.message))
      })
    },

    // The page-content measurement (content.html): the SDK's <script async>
    // has loaded; configure it and track 3 events at once, as a site does
    // (this SDK's configure is not awaited: calls are usable at once; a
    // peer's init is, as its documentation has it). sink and run come from
    // the page's URL.
    async content(name) {
      const q = new URLSearchParams(location.search)
      const run = q.get('run')
      const cfg = { sink: q.get('sink'), run }
      window.__content = { scriptAt: now() }
      if (name === 'this') {
        const start = q.get('start') || undefined // BENCH_THIS_START: another start mode, to compare
        exponea = window.Exponea.configure({ projectToken: 'bench', authorization: 'Token bench-key', baseUrl: cfg.sink + '/exponea', start })
        for (let i = 0; i < 3; i++) exponea.trackEvent({ name: 'bench', properties: props(run, 'content', i) })
      } else {
        await window.benchPeer.init(cfg)
        for (let i = 0; i < 3; i++) window.benchPeer.track(i, 'content')
      }
      window.__content.trackedAt = now()
    },

    // One event every `every` ms, n in all, paced against the start (one
    // late timer does not shift the rest); resolves after the last call
    // with the calls' wall-clock start and end (epoch ms). What a real page
    // does: an event every now and then.
    async trickle(n, phase, every = 500) {
      const t0 = now()
      for (let i = 0; i < n; i++) {
        const wait = t0 + i * every - now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        sdk.track(i, phase)
      }
      return { start: performance.timeOrigin + t0, end: performance.timeOrigin + now() }
    },

    // Tracks n events in one synchronous loop, timing each block of `block`
    // calls (a single call is below the timer's resolution). Returns per-call
    // microseconds of each block, the calls made and the loop's wall-clock
    // start and end (epoch ms). Some SDKs get slower with every queued event
    // (their whole queue is rewritten per call): past capMs the loop stops
    // at the end of a block, so the run stays within its time budget.
    // The loop runs in a task of the page's own (a timer), as a page's code
    // would: run straight from the bench's CDP call it would be outside
    // every task a Chromium trace records, and the trace's CPU per event
    // (track_cpu_us) would miss it.
    async burst(n, phase, block = 100, capMs = Infinity) {
      await new Promise((r) => setTimeout(r, 0))
      const track = sdk.track.bind(sdk)
      const us = []
      const t0 = now()
      const start = performance.timeOrigin + t0
      let calls = 0
      for (let b = 0; b < n; b += block) {
        const a = now()
        for (let i = b; i < b + block; i++) track(i, phase)
        const e = now()
        us.push(((e - a) * 1000) / block)
        calls = b + block
        if (e - t0 > capMs) break
      }
      return { us, calls, start, end: performance.timeOrigin + now() }
    },

    // Fire-and-forget events, not timed (warm-up).
    trackN(n, phase) { for (let i = 0; i < n; i++) sdk.track(i, phase) },

    // Tracks the event seq of phase and, in the same task, leaves for url
    // (a page of the same site), as a click on a link that tracks does; the
    // call is not awaited, as a page would not.
    trackAndLeave(seq, phase, url) {
      sdk.track(seq, phase)
      location.href = url
    },

    // --- the SDK under test only ---

    // One event every `every` ms; each Promise resolving is the event being
    // durable. Returns the median and p99 of (resolve − call), ms.
    async durableTrickle(n, phase, every = 5) {
      const lat = []
      const pending = []
      const t0 = now()
      for (let i = 0; i < n; i++) {
        // Paced against the start, so one late timer does not shift the rest.
        const wait = t0 + i * every - now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        const c = now()
        pending.push(sdk.track(i, phase).then(() => lat.push(now() - c)))
      }
      await Promise.all(pending)
      return { p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length }
    },

    // n calls in a loop; ms from the last call until every Promise resolved.
    async durableBurst(n, phase) {
      const ps = new Array(n)
      for (let i = 0; i < n; i++) ps[i] = sdk.track(i, phase)
      const last = now()
      await Promise.all(ps)
      return { ms: now() - last }
    },

    // Tracks n more events in chunks, each chunk awaited (stored), so the
    // queue grows as a busy page would make it grow, not all at once. Stops
    // starting chunks after capMs; returns how many were stored.
    async fill(n, phase, chunk = 10000, capMs = Infinity) {
      const t0 = now()
      let stored = 0
      for (let b = 0; b < n && now() - t0 < capMs; b += chunk) {
        const ps = []
        for (let i = b; i < Math.min(n, b + chunk); i++) ps.push(sdk.track(i, phase))
        await Promise.all(ps)
        stored += ps.length
      }
      return { stored }
    },

    queueLength: () => exponea.getQueueLength(),

    // Bytes of wasm linear memory of the (one) Go instance: the SDK reports
    // it (getStats().wasmMemory), which also works when its Go side runs in
    // a Worker, where the page cannot see the instance.
    async wasmMemory() {
      if (exponea && exponea.getStats) {
        const s = await exponea.getStats()
        if (s.wasmMemory) return s.wasmMemory
      }
      const inst = instances.find((i) => i.exports && i.exports.mem)
      return inst ? inst.exports.mem.buffer.byteLength : null
    },
  }
})()
