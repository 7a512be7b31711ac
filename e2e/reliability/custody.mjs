// Custody scenarios of the reliability suite: calls that real pages make
// and never wait for — fired right before the tab closes, during the SDK's
// start-up, before exponea.js has arrived — and a Worker that dies. Every
// call that returned is the SDK's: lost must be 0, and nothing stored twice.
const size = (kit, quick, full) => (kit.quick ? quick : full)
const range = (n) => Array.from({ length: n }, (_, i) => i)

// trials runs fn(i) for i < n, at most `at` at a time.
async function trials(n, at, fn) {
  for (let i = 0; i < n; i += at) await Promise.all(range(Math.min(at, n - i)).map((j) => fn(i + j)))
}

// ROUND bounds the contexts open at once: each trial's profile stays open
// for its next visit, and a WebKit context is a MiniBrowser and a
// WebKitWebDriver of its own (with 100 open at once, WebKitWebDriver
// answered "unknown error" to every command).
const ROUND = 10

// rounds runs n trials in rounds of ROUND, each in a fresh context: leave(ctx)
// for every trial of the round; 2 s later, what the collector holds of them
// counts as delivered at close; then next(ctx), the next visit, for each,
// the collector is waited for and the round's contexts are closed. Returns
// how many were stored at close in all.
async function rounds(kit, n, leave, next) {
  let atClose = 0
  for (let done = 0; done < n; done += ROUND) {
    const before = await kit.storedCount()
    const ctxs = []
    await trials(Math.min(ROUND, n - done), ROUND, async () => {
      const ctx = await kit.context()
      ctxs.push(ctx)
      await leave(ctx)
    })
    await kit.sleep(2000)
    atClose += (await kit.storedCount()) - before
    await trials(ctxs.length, ROUND, (i) => next(ctxs[i]))
    await kit.delivered([], { timeout: 30000 })
    await kit.closeContexts(ctxs)
  }
  kit.step(`${n} trials`)
  return atClose
}

// 12. Track and leave: in each trial a page with the SDK ready fires 5
// calls without awaiting them and the tab closes in the same task. What
// arrived before any next visit is "delivered at close"; then a next visit
// in the same profile sends the rest. In immediate mode at least 99% must
// arrive at close.
export function trackAndLeave(mode) {
  return async function trackAndLeaveMode(kit) {
    const n = 5
    const first = mode === 'period' ? { flushMode: 'period', flushPeriod: 3600000 } : { flushMode: mode }
    const atClose = await rounds(kit, size(kit, 5, 100), async (ctx) => {
      const page = await kit.open(ctx, kit.cfg(first))
      await kit.fire(page, n)
      await page.close()
    }, async (ctx) => {
      const page = await kit.open(ctx, kit.cfg({ flushMode: 'manual' }))
      await kit.flushAll(page)
    })
    kit.atClose = atClose
    const share = atClose / kit.trackedSeqs.size
    if (mode === 'manual') {
      if (atClose !== 0) kit.fail(`manual mode sent ${atClose} at close`)
    } else if (mode === 'immediate' && share < 0.99) kit.fail(`only ${(share * 100).toFixed(1)}% delivered at close (want ≥ 99%)`)
    kit.note(`delivered at close: ${atClose} of ${kit.trackedSeqs.size} (${(share * 100).toFixed(1)}%), the rest on the next visit`)
    return kit.counts()
  }
}

// 13. Calls made while the SDK is starting, and the tab closed at once:
// nothing can go out at close (the SDK knows no cookie yet), so the next
// visit must send them all.
export async function leaveDuringStartup(kit) {
  await rounds(kit, size(kit, 5, 50), async (ctx) => {
    const page = await kit.open(ctx)
    await kit.fire(page, 5, kit.cfg())
    await page.close()
  }, async (ctx) => {
    const page = await kit.open(ctx, kit.cfg())
    await kit.flushAll(page)
  })
  return kit.counts()
}

// 14. Calls made on the snippet's stub before exponea.js arrives (held back
// for a minute), the tab closed first; the next page that loads the SDK
// sends them.
export async function beforeLoad(kit) {
  const ctx = await kit.context()
  const page = await ctx.newPage()
  await page.goto(kit.pages.url + '/snippet.html?scriptDelay=never')
  await kit.fire(page, size(kit, 10, 50), kit.cfg())
  const stub = await page.evaluate(() => Array.isArray(window.Exponea.q))
  if (!stub) kit.fail('exponea.js arrived before the calls: the scenario tested nothing')
  await page.close()
  const next = await ctx.newPage()
  await next.goto(kit.pages.url + '/snippet.html')
  await next.evaluate(async (cfg) => {
    window.exponea = Exponea.configure(cfg)
    await window.exponea.ready
  }, kit.cfg())
  await kit.delivered([next], { timeout: 30000 })
  return kit.counts()
}

// 15. The Worker dies (terminated, as a crash: no message, no event) in the
// middle of a burst, and again while a flush is in flight: every Promise
// settles, sending goes on in a new Worker. A dedicated Worker: the page
// can terminate it (a SharedWorker cannot be ended from a page).
export async function workerCrash(kit) {
  const ctx = await kit.context()
  const page = await kit.open(ctx, kit.cfg({ host: 'worker' }))
  const runsIn = await page.evaluate(() => [window.exponea.runsIn, window.exponea.startup.hostReason])
  if (runsIn[0] !== 'worker') throw new Error(`the SDK runs in ${runsIn[0]} (${runsIn[1]}), not in the Worker this scenario ends`)
  await kit.idle([page])
  const burst = size(kit, 500, 2000)
  const from = kit.nextSeq
  kit.nextSeq += burst
  const outcome = await page.evaluate(async ({ name, from, burst }) => {
    const ps = []
    for (let i = 0; i < burst; i++) ps.push(window.exponea.trackEvent({ name, properties: { seq: from + i } }).then(() => null, (e) => e.message))
    setTimeout(() => window.exponea._bridge.worker.end(), 30)
    return (await Promise.all(ps)).filter(Boolean)
  }, { name: kit.eventType, from, burst })
  for (let i = 0; i < burst; i++) kit.trackedSeqs.add(from + i)
  if (outcome.length) kit.fail(`${outcome.length} calls rejected across the crash: ${outcome[0]}`)
  kit.step('burst settled across a crash')
  const since = Date.now() // requests of the first Worker stay unanswered
  await kit.collector.fault({ delay_ms: 2000, times: 1 }) // the next request is held 2 s
  await kit.track(page, 50)
  if (!(await kit.inFlight([page], since))) kit.fail('no batch request in flight to terminate the Worker in')
  await page.evaluate(() => window.exponea._bridge.worker.end())
  kit.step('worker terminated with a flush in flight')
  await kit.track(page, 10)
  await kit.delivered([page], { timeout: 40000 })
  if ((await page.evaluate(() => window.exponea.runsIn)) !== 'worker') kit.fail('not running in a new worker')
  return kit.counts()
}

// 18. The SharedWorker that serves the origin's tabs dies (it ends itself,
// as a crash ends it: its pages get no message and no event) as two tabs
// burst: every Promise settles and nothing is lost; what the old one had
// stored and not answered for is handed over again under the same record
// ids and stored once. Every tab notices within seconds — one with calls
// outstanding pings a worker silent for 2 s, a visible one without for
// 5 s — and they all start it again, one booting a new Go program, the
// others joining it.
export async function sharedWorkerCrash(kit) {
  const ctx = await kit.context()
  const cfg = kit.cfg({ host: 'sharedworker', workerUrl: '/crash-worker.js' })
  const tabs = []
  for (let i = 0; i < 3; i++) tabs.push(await kit.open(ctx, cfg))
  await kit.idle(tabs)
  const [a, b, idle] = tabs
  const instances = () => Promise.all(tabs.map((p) => p.evaluate(() => window.exponea._bridge.instance)))
  const before = await instances()
  if (new Set(before).size !== 1) kit.fail(`the tabs run in ${new Set(before).size} SharedWorkers, want 1: ${before.join(', ')}`)
  const burst = size(kit, 400, 2000)
  const fire = (page, from, crash) => page.evaluate(async ({ name, from, burst, crash }) => {
    const ps = []
    for (let i = 0; i < burst; i++) ps.push(window.exponea.trackEvent({ name, properties: { seq: from + i } }).then(() => null, (e) => e.message))
    if (crash) setTimeout(() => window.exponea._bridge.worker.post({ t: 'test:crash' }), 30)
    return (await Promise.all(ps)).filter(Boolean)
  }, { name: kit.eventType, from, burst, crash })
  const from = kit.nextSeq
  kit.nextSeq += 2 * burst
  const rejected = (await Promise.all([fire(a, from, true), fire(b, from + burst, false)])).flat()
  for (let i = 0; i < 2 * burst; i++) kit.trackedSeqs.add(from + i)
  if (rejected.length) kit.fail(`${rejected.length} calls rejected across the crash: ${rejected[0]}`)
  kit.step('both bursts settled across the crash')
  // The idle tab notices by itself: it pings a worker silent for 5 s.
  const noticed = Date.now() + 20000
  while (Date.now() < noticed && (await idle.evaluate(() => window.exponea._bridge.instance)) === before[0]) await kit.sleep(250)
  if ((await idle.evaluate(() => window.exponea._bridge.instance)) === before[0]) kit.fail('the idle tab did not notice the crash within 20 s')
  else kit.step('the idle tab noticed the crash without a call')
  // Every tab calls again.
  await kit.track(idle, 10)
  await kit.track(a, 20)
  await kit.track(b, 20)
  const after = await instances()
  for (const [i, x] of after.entries()) if (x === before[0]) kit.fail(`tab ${i + 1} still names the SharedWorker that died (${x})`)
  if (new Set(after).size !== 1) kit.fail(`after the crash the tabs run in ${new Set(after).size} SharedWorkers, want 1: ${after.join(', ')}`)
  const restarts = await Promise.all(tabs.map((p) => p.evaluate(() => window.exponea._bridge.restarts)))
  kit.note(`restarts per tab: ${restarts.join(', ')}`)
  await kit.delivered(tabs, { timeout: 40000 })
  return kit.counts()
}
