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

// 12. Track and leave: in each trial a page with the SDK ready fires 5
// calls without awaiting them and the tab closes in the same task. What
// arrived before any next visit is "delivered at close"; then a next visit
// in the same profile sends the rest. In immediate mode at least 99% must
// arrive at close.
export function trackAndLeave(mode) {
  return async function trackAndLeaveMode(kit) {
    const n = 5
    const first = mode === 'period' ? { flushMode: 'period', flushPeriod: 3600000 } : { flushMode: mode }
    const ctxs = []
    await trials(size(kit, 5, 100), 10, async () => {
      const ctx = await kit.context()
      ctxs.push(ctx)
      const page = await kit.open(ctx, kit.cfg(first))
      await kit.fire(page, n)
      await page.close()
    })
    kit.step(`${ctxs.length} trials closed`)
    await kit.sleep(2000)
    const atClose = await kit.storedCount()
    kit.atClose = atClose
    const share = atClose / kit.trackedSeqs.size
    if (mode === 'manual') {
      if (atClose !== 0) kit.fail(`manual mode sent ${atClose} at close`)
    } else if (mode === 'immediate' && share < 0.99) kit.fail(`only ${(share * 100).toFixed(1)}% delivered at close (want ≥ 99%)`)
    kit.note(`delivered at close: ${atClose} of ${kit.trackedSeqs.size} (${(share * 100).toFixed(1)}%), the rest on the next visit`)
    await trials(ctxs.length, 10, async (i) => {
      const page = await kit.open(ctxs[i], kit.cfg({ flushMode: 'manual' }))
      await kit.flushAll(page)
    })
    await kit.delivered([], { timeout: 30000 })
    return kit.counts()
  }
}

// 13. Calls made while the SDK is starting, and the tab closed at once:
// nothing can go out at close (the SDK knows no cookie yet), so the next
// visit must send them all.
export async function leaveDuringStartup(kit) {
  const ctxs = []
  await trials(size(kit, 5, 50), 10, async () => {
    const ctx = await kit.context()
    ctxs.push(ctx)
    const page = await kit.open(ctx)
    await kit.fire(page, 5, kit.cfg())
    await page.close()
  })
  await trials(ctxs.length, 10, async (i) => {
    const page = await kit.open(ctxs[i], kit.cfg())
    await kit.flushAll(page)
  })
  await kit.delivered([], { timeout: 30000 })
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
// settles, sending goes on in a new Worker.
export async function workerCrash(kit) {
  const ctx = await kit.context()
  const page = await kit.open(ctx, kit.cfg())
  await kit.idle([page])
  const burst = size(kit, 500, 2000)
  const from = kit.nextSeq
  kit.nextSeq += burst
  const outcome = await page.evaluate(async ({ name, from, burst }) => {
    const ps = []
    for (let i = 0; i < burst; i++) ps.push(window.exponea.trackEvent({ name, properties: { seq: from + i } }).then(() => null, (e) => e.message))
    setTimeout(() => window.exponea._bridge.worker.terminate(), 30)
    return (await Promise.all(ps)).filter(Boolean)
  }, { name: kit.eventType, from, burst })
  for (let i = 0; i < burst; i++) kit.trackedSeqs.add(from + i)
  if (outcome.length) kit.fail(`${outcome.length} calls rejected across the crash: ${outcome[0]}`)
  kit.step('burst settled across a crash')
  await kit.collector.fault({ delay_ms: 2000, times: 1 })
  await kit.track(page, 50)
  await kit.sleep(300)
  await page.evaluate(() => window.exponea._bridge.worker.terminate())
  kit.step('worker terminated with a flush in flight')
  await kit.track(page, 10)
  await kit.delivered([page], { timeout: 40000 })
  if ((await page.evaluate(() => window.exponea.runsIn)) !== 'worker') kit.fail('not running in a new worker')
  return kit.counts()
}
