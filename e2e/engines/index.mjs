// The harness's one interface over three browser engines, so each test is
// written once. $ENGINE picks one per run (default chromium):
//
//   chromium  Debian's chromium, playwright-core (CDP)           chromium.mjs
//   firefox   Debian's firefox-esr, puppeteer-core (BiDi)         firefox.mjs
//   webkit    WebKitGTK's MiniBrowser, WebKitWebDriver (W3C)      webkit.mjs
//
// engine   {name, lacks: {feature: reason}, launch() → Browser}
// Browser  {name, version, newContext() → Context, connected(), close()}
// Context  an isolated profile: {newPage() → Page, setOffline(on),
//          route(origin, respond), close()}
// Page     {goto(url), evaluate(fn, arg) → JSON value, waitFor(fn, arg, opts),
//          reload(), close() (the tab closes now, no beforeunload),
//          isClosed(), requests(), console(), errors()} (page.mjs)
//
// A feature an engine lacks is named in engine.lacks with the reason; a
// test that needs it declares so and is skipped there with that reason
// (harness.mjs `test`). The features: offline (Context.setOffline), route
// (Context.route: answer requests from the test, offline too), navigation
// (the page's Navigation API: where any navigation goes is known), crash
// (Page.crash(): the tab's renderer crashes).

export const engines = ['chromium', 'firefox', 'webkit']

// load returns the engine module called name.
export async function load(name) {
  if (!engines.includes(name)) throw new Error(`ENGINE=${name}: want one of ${engines.join(', ')}`)
  return import(`./${name}.mjs`)
}
