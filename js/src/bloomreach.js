// An optional facade with the call shapes of Bloomreach's own JavaScript
// SDK (window.exponea: start, track, identify, update, anonymize), for a
// site that moves from Bloomreach's web snippet to this SDK without
// rewriting its calls. Written from Bloomreach's public documentation of
// those calls; the events go through this SDK, with its custody and queue.
//
//   exponea.start({ target: 'https://api.exponea.com', token: '<project token>',
//                   customer: 'registered id or {ids}', track: { visits: true, default_properties: {...} },
//                   spa_reloading: { enabled: true }, ...any of this SDK's own configuration })
//   exponea.track(eventType, properties?, successCallback?, errorCallback?)
//   exponea.identify(customerIds, properties?, successCallback?, errorCallback?)   a string means { registered: it }
//   exponea.update(properties, successCallback?, errorCallback?)
//   exponea.anonymize()
//
// Of start's options, target, token, customer, track.default_properties,
// visits (or track.visits) and spa_reloading.enabled are honoured, with this
// SDK's own configuration fields; any other is ignored, and named once in a
// console warning.
import { CONFIG_FIELDS } from './rules.js'

// startConfig returns the configuration of this SDK that start(options)
// means, and the names of the options it ignores. visits tracks a
// page_visit on every page; with spa_reloading (on unless
// spa_reloading: false or {enabled: false}, as in Bloomreach's SDK) on every
// URL change too, fragments included, as Bloomreach's SDK observes them.
export function startConfig(options) {
  const { target, token, customer, track, visits, spa_reloading: spa, ...rest } = options || {}
  const config = {}
  const ignored = []
  for (const k of Object.keys(rest)) {
    if (CONFIG_FIELDS.includes(k)) config[k] = rest[k]
    else ignored.push(k)
  }
  if (token !== undefined) config.projectToken = token
  if (target !== undefined) config.baseUrl = target
  for (const k of Object.keys(track || {})) {
    if (k !== 'default_properties' && k !== 'visits') ignored.push(`track.${k}`)
  }
  if (track && track.default_properties) config.defaultProperties = track.default_properties
  const v = visits !== undefined ? visits : track && track.visits
  if (v !== undefined && typeof v !== 'boolean') throw new TypeError('exponea.start: visits must be a boolean')
  let spaOn = true
  if (spa !== undefined && spa !== null) {
    if (typeof spa === 'boolean') spaOn = spa
    else if (typeof spa === 'object') {
      for (const k of Object.keys(spa)) if (k !== 'enabled') ignored.push(`spa_reloading.${k}`)
      if (spa.enabled !== undefined && typeof spa.enabled !== 'boolean') throw new TypeError('exponea.start: spa_reloading.enabled must be a boolean')
      spaOn = spa.enabled !== false
    } else throw new TypeError('exponea.start: spa_reloading must be an object or a boolean')
  }
  if (v && config.trackPageVisits === undefined) {
    config.trackPageVisits = spaOn ? 'spa' : true
    if (spaOn && config.trackHashChanges === undefined) config.trackHashChanges = true
  }
  return { config, customer, ignored }
}

export function bloomreachFacade(Exponea) {
  let client = null
  const warned = new Set() // the ignored options named so far
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
      const { config, customer, ignored } = startConfig(options)
      const fresh = ignored.filter((k) => !warned.has(k))
      for (const k of fresh) warned.add(k)
      if (fresh.length) console.warn(`[exponea] exponea.start: ignored, not supported by this SDK: ${fresh.join(', ')} (see the README, "Coming from Bloomreach's web snippet")`)
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
