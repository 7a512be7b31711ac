// The snippet: inline it before <script async src=".../exponea.js"> (build
// writes it minified to dist/exponea.snippet.js; the README has it). It
// defines window.Exponea at once as a stub that queues every call, and
// writes the queue to localStorage with each call, so that calls made
// before exponea.js has arrived survive a tab that closes first: the next
// page that loads the SDK sends them. When exponea.js arrives it takes the
// queue over in order (snippet-adopt.js), and from then on the stub's
// client is the client: every method and property. The saved queue names
// the page (URL, referrer, title), whose visit it may hold. Kept to ES5 and
// small: it is pasted into pages. Its list of methods is js/src/methods.js's
// METHODS (js/test/methods.test.mjs holds them together).
!function (w, p) {
  if (w.Exponea) return
  var q = [], k = p + Date.now() + '-' + Math.random().toString(36).slice(2), c = {}, d = document
  function save() {
    try { localStorage.setItem(k, JSON.stringify({ p: [location.href, d.referrer, d.title], q: q.map(function (x) { return x.slice(0, 4) }) })) } catch (e) {}
  }
  function u() { return w.crypto && crypto.randomUUID ? crypto.randomUUID() : '' }
  function stub(n) {
    return function () {
      var r, a = [].slice.call(arguments), o = new Promise(function (y, f) { r = [y, f] })
      q.push([n, a, Date.now(), u(), r])
      save()
      return o
    }
  }
  ('trackEvent identifyCustomer anonymize trackSessionStart trackSessionEnd trackPageVisit setDefaultProperties setFlushMode ' +
    'setFlushPeriod flushData getCustomerCookie getQueueLength getStats grantConsent revokeConsent on getConsent ' +
    'getDefaultProperties getFlushMode getFlushPeriod off').split(' ').forEach(function (n) { c[n] = stub(n) })
  c.ready = new Promise(function (y, f) { c.r = [y, f] })
  // The client chains like a Promise of the ready client (a view without
  // then, catch and finally, or awaiting it could never end).
  var v = Object.create(c, { then: {}, 'catch': {}, 'finally': {} })
  c.then = function (y, f) { return c.ready.then(function () { return v }).then(y, f) }
  c['catch'] = function (f) { return c.then(0, f) }
  c['finally'] = function (f) { return c.then()['finally'](f) }
  w.Exponea = { q: q, key: k, client: c, configure: function (x) { q.push(['configure', [x], Date.now(), u()]); save(); return c } }
}(window, 'exponea:s:')
