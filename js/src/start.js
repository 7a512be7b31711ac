// When the SDK starts loading its wasm and its Worker. On a slow link the
// ~850 KB wasm fetched beside the page's own content takes half the link
// and nearly doubles the time to the page's main image (issue 26). It is
// not needed early: every call is journaled in localStorage in the task it
// is made (journal.js), the close path builds commands from the journal on
// the page (close.js), and the next page hands the journal over. So by
// default ('idle') the SDK starts once the page's own content is in — after
// the load event — and the page has had an idle moment for its own load
// handlers; 'eager' starts at configure, as before.

// START_MODES are the values of configure's `start`; the first is the
// default.
export const START_MODES = ['idle', 'eager']

// IDLE_TIMEOUT_MS bounds the wait for an idle period (requestIdleCallback's
// timeout): a page busy for longer than that gets the SDK anyway.
export const IDLE_TIMEOUT_MS = 1000

// LOAD_TIMEOUT_MS bounds the wait for the load event: a page whose load
// never comes (a request that hangs, an endless stream) gets the SDK then,
// as if it had loaded.
export const LOAD_TIMEOUT_MS = 10000

// IDLE_FALLBACK_MS stands for an idle period where the engine has no
// requestIdleCallback (WebKit): the page's own load handlers and the tasks
// they queue at once have run by then.
export const IDLE_FALLBACK_MS = 50

// checkStart validates configure's `start` and returns the mode.
export function checkStart(value) {
  if (value === undefined || value === null) return START_MODES[0]
  if (!START_MODES.includes(value)) {
    throw new RangeError(`configure: start must be one of ${START_MODES.map((m) => `'${m}'`).join(', ')}`)
  }
  return value
}

// HOSTS are the values of configure's `host`, where the Go side runs; the
// first is the default: a SharedWorker where the engine has one, else a
// dedicated Worker, else the page.
export const HOSTS = ['auto', 'sharedworker', 'worker', 'page']

// checkHost validates configure's `host` (and the older `worker: false`,
// which is host 'page') and returns it.
export function checkHost(value, worker) {
  if (value === undefined || value === null) return worker === false ? 'page' : HOSTS[0]
  if (!HOSTS.includes(value)) {
    throw new RangeError(`configure: host must be one of ${HOSTS.map((m) => `'${m}'`).join(', ')}`)
  }
  return value
}

// startSteps is the decision: what must happen, in order, before the SDK
// starts loading, given the mode and the document's readyState when
// configure was called. 'load': the window's load event (the page's images,
// styles, scripts and frames are in); 'idle': an idle period. [] is now.
export function startSteps(mode, readyState) {
  if (mode === 'eager') return []
  return readyState === 'complete' ? ['idle'] : ['load', 'idle']
}

// scheduleStart calls begin() once, when startSteps says. env is the page
// (browserEnv); a test gives a fake.
export function scheduleStart(mode, begin, env = browserEnv()) {
  const steps = startSteps(mode, env.readyState())
  const next = (i) => {
    if (i === steps.length) return begin()
    if (steps[i] === 'load') env.onLoad(() => next(i + 1))
    else env.idle(() => next(i + 1))
  }
  next(0)
  return steps
}

// browserEnv is what scheduleStart needs of the page.
export function browserEnv(g = globalThis) {
  return {
    readyState: () => g.document.readyState,
    onLoad: (fn) => {
      let done = false
      const once = () => {
        if (done) return
        done = true
        g.clearTimeout(timer)
        fn()
      }
      const timer = g.setTimeout(once, LOAD_TIMEOUT_MS)
      g.addEventListener('load', once, { once: true })
    },
    idle: (fn) => typeof g.requestIdleCallback === 'function'
      ? g.requestIdleCallback(() => fn(), { timeout: IDLE_TIMEOUT_MS })
      : g.setTimeout(() => fn(), IDLE_FALLBACK_MS),
  }
}
