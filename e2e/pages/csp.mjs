// The script of csp.html, from the page's own origin as a strict policy
// requires: configures the SDK with ?config=JSON, tracks one event
// (under_csp) at once, and keeps what ready and that call settled with in
// window.outcome and window.tracked for the test.
import { Exponea } from '/dist/exponea.mjs'

window.exponea = Exponea.configure(JSON.parse(new URLSearchParams(location.search).get('config')))
window.outcome = exponea.ready.then(() => ({ ok: true, runsIn: exponea.runsIn }), (e) => ({ ok: false, message: e.message }))
window.tracked = exponea.trackEvent({ name: 'under_csp' }).then(() => 'stored', (e) => e.message)
