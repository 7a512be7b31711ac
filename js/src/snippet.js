// The snippet: inline it before <script async src=".../exponea.js"> (build
// writes it minified to dist/exponea.snippet.js; the README has it). It
// defines window.Exponea at once as a stub that queues every call, and
// writes the queue to localStorage with each call, so that calls made
// before exponea.js has arrived survive a tab that closes first: the next
// page that loads the SDK sends them. When exponea.js arrives it takes the
// queue over in order (snippet-adopt.js). Kept to ES5 and small: it is
// pasted into pages.
!function (w, p) {
  if (w.Exponea) return
  var q = [], k = p + Date.now() + '-' + Math.random().toString(36).slice(2), c = {}
  function save() {
    try { localStorage.setItem(k, JSON.stringify(q.map(function (x) { return x.slice(0, 4) }))) } catch (e) {}
  }
  function stub(n) {
    return function () {
      var r, a = [].slice.call(arguments), o = new Promise(function (y, f) { r = [y, f] })
      q.push([n, a, Date.now(), w.crypto && crypto.randomUUID ? crypto.randomUUID() : '', r])
      save()
      return o
    }
  }
  ('trackEvent identifyCustomer anonymize trackSessionStart trackSessionEnd setDefaultProperties ' +
    'setFlushMode setFlushPeriod flushData getCustomerCookie getQueueLength getStats grantConsent revokeConsent on').split(' ').forEach(function (n) { c[n] = stub(n) })
  c.ready = new Promise(function (y, f) { c.r = [y, f] })
  // The client chains like a Promise of the ready client (a view without
  // then, catch and finally, or awaiting it could never end).
  var v = Object.create(c, { then: {}, 'catch': {}, 'finally': {} })
  c.then = function (y, f) { return c.ready.then(function () { return v }).then(y, f) }
  c['catch'] = function (f) { return c.then(0, f) }
  c['finally'] = function (f) { return c.then()['finally'](f) }
  w.Exponea = { q: q, key: k, client: c, configure: function (x) { q.push(['configure', [x]]); save(); return c } }
}(window, 'exponea:s:')
