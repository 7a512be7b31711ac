// An optional facade with the call shapes of Bloomreach's own JavaScript
// SDK (window.exponea: start, track, identify, update, anonymize), for a
// site that moves from Bloomreach's web snippet to this SDK without
// rewriting its calls. Written from Bloomreach's public documentation of
// those calls; the events go through this SDK, with its custody and queue.
//
//   exponea.start({ target: 'https://api.exponea.com', token: '<project token>',
//                   customer: 'registered id or {ids}', track: { default_properties: {...} },
//                   ...any of this SDK's own configuration })
//   exponea.track(eventType, properties?, successCallback?, errorCallback?)
//   exponea.identify(customerIds, properties?, successCallback?, errorCallback?)   a string means { registered: it }
//   exponea.update(properties, successCallback?, errorCallback?)
//   exponea.anonymize()
export function bloomreachFacade(Exponea) {
  let client = null
  const need = (m) => {
    if (!client) throw new Error(`exponea.${m}: call exponea.start first`)
    return client
  }
  // settle calls success or error when p settles; without callbacks p is
  // returned, and its failures are logged rather than left unhandled.
  const settle = (p, ok, fail) => {
    p.then(() => typeof ok === 'function' && ok(), (e) => {
      if (typeof fail === 'function') fail(e)
      else console.warn('[exponea]', e && e.message ? e.message : e)
    })
    return p
  }
  const ids = (v) => (typeof v === 'string' ? { registered: v } : v)
  return {
    start(options) {
      const { target, token, customer, track, ...own } = options || {}
      const config = { ...own }
      if (token !== undefined) config.projectToken = token
      if (target !== undefined) config.baseUrl = target
      if (track && track.default_properties) config.defaultProperties = track.default_properties
      client = Exponea.configure(config)
      if (customer !== undefined) client.identifyCustomer({ ids: ids(customer) }).catch((e) => console.warn('[exponea]', e.message))
      return client
    },
    track(eventType, properties, ok, fail) {
      return settle(need('track').trackEvent({ name: eventType, ...(properties !== undefined && { properties }) }), ok, fail)
    },
    identify(customerIds, properties, ok, fail) {
      return settle(need('identify').identifyCustomer({ ids: ids(customerIds), ...(properties !== undefined && { properties }) }), ok, fail)
    },
    update(properties, ok, fail) {
      return settle(need('update').identifyCustomer({ properties }), ok, fail)
    },
    anonymize() { return settle(need('anonymize').anonymize()) },
  }
}
