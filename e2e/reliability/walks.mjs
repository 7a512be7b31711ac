// 17. Walks through a site (../walk.mjs, pages/site.html): each walk is
// a fresh profile whose one tab visits eight pages the ways visitors do — a
// button that tracks and navigates in one task, a link, a form, back and
// forward through the back/forward cache, a reload — staying on each page
// for a while (dwell: at once, or 0.3 s, or 1 s). Every navigation a
// visitor makes from a page tracks a click in the same task. The SDK is
// pointed at a proxy that counts what a backend that does not dedupe would
// receive (../receipts.mjs). Figures: pages whose SDK did not start, ready
// per page (ms from navigation start, fresh loads), and clicks received
// more than once.
import { Walk, percentile } from '../walk.mjs'
import { countReceipts } from '../receipts.mjs'
import { load } from '../engines/index.mjs'

const size = (kit, quick, full) => (kit.quick ? quick : full)
const DWELLS = [0, 300, 1000]

// The most clicks received twice, per click tracked right before a
// navigation to another page of the site, where the engine knows where
// every navigation goes (the Navigation API) and where it knows links and
// forms only (a button's location.href is not seen, and is sent at close
// as well as by the next page).
export const RECEIVED_TWICE_BOUND = { navigation: 0.05, links: 0.5 }

export async function walks(kit) {
  const n = size(kit, 3, 20)
  const receipts = await countReceipts(kit.collector)
  const cfg = { ...kit.cfg(), baseUrl: receipts.url }
  const figures = { walks: n, pages: 0, notStarted: 0, restored: 0, notRestored: 0, ready: [], clicks: 0 }
  try {
    for (let w = 0; w < n; w++) {
      const ctx = await kit.context()
      const page = await ctx.newPage()
      kit.tabs.push(page)
      const walk = new Walk(page, kit.pages.url, cfg, `${kit.id}-${w}`, { event: kit.eventType, seqBase: w * 100 })
      const dwell = async () => {
        const ms = DWELLS[Math.floor(Math.random() * DWELLS.length)]
        if (ms) await kit.sleep(ms)
      }
      const steps = [() => walk.goto(1), () => walk.button(), () => walk.link(), () => walk.form(), () => walk.back(), () => walk.forward(), () => walk.reload(), () => walk.link()]
      for (const step of steps) {
        kit.check()
        const p = await step()
        if (p.error) {
          figures.notStarted++
          kit.note(`walk ${w}, page ${p.n} (${p.how}): ${p.error.slice(0, 200)}`)
          break
        }
        await dwell()
      }
      for (let s = 1; s <= walk.clicks; s++) kit.trackedSeqs.add(w * 100 + s)
      figures.clicks += walk.clicks
      for (const p of walk.pages) {
        figures.pages++
        if (p.how === 'back' || p.how === 'forward') figures[p.restored ? 'restored' : 'notRestored']++
        else if (p.readyAt !== null && p.error === null) figures.ready.push(p.readyAt)
      }
      // The last page delivers what the walk left; then the profile goes.
      await walk.settle(30000).catch((e) => kit.note(`walk ${w}: ${e.message}`))
      await kit.closeContexts([ctx])
    }
    await kit.delivered([], { timeout: 30000 })
    const clicks = receipts.commands().filter((c) => c.type === kit.eventType)
    const extra = clicks.reduce((s, c) => s + c.times - 1, 0)
    // Who sent the clicks received twice (the first few, in the report).
    for (const c of clicks.filter((c) => c.times > 1).slice(0, 12)) kit.note(`received ${c.times} times: a ${c.via} click, by ${c.how.join(', ')}`)
    const ready = figures.ready
    kit.walk = {
      walks: n, pages: figures.pages, notStarted: figures.notStarted, restored: figures.restored, notRestored: figures.notRestored,
      readyMedian: round(percentile(ready, 50)), readyP95: round(percentile(ready, 95)), clicks: figures.clicks,
      receivedTwice: extra, perClick: figures.clicks ? Math.round((extra / figures.clicks) * 1000) / 1000 : null,
      atClose: clicks.filter((c) => c.how.includes('page at close')).length,
      // received twice, by how the click left the page: {via: [extra copies, clicks]}
      byVia: Object.fromEntries(['button', 'link', 'form'].map((via) => {
        const of = clicks.filter((c) => c.via === via)
        return [via, [of.reduce((s, c) => s + c.times - 1, 0), of.length]]
      })),
    }
    if (figures.notStarted) kit.fail(`${figures.notStarted} pages whose SDK did not start`)
    const knows = (await load(kit.browser.name)).lacks.navigation ? 'links' : 'navigation'
    const bound = RECEIVED_TWICE_BOUND[knows]
    kit.walk.knows = knows
    // The quick run's few clicks say little of a rate: it is checked in
    // the full run.
    if (!kit.quick && kit.walk.perClick > bound) kit.fail(`clicks received twice: ${kit.walk.perClick} per click, above ${bound} (the engine knows ${knows === 'navigation' ? 'every navigation' : 'links and forms only'})`)
    return kit.counts()
  } finally {
    await receipts.close()
  }
}

const round = (x) => (x === null ? null : Math.round(x))
