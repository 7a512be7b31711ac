// The client's members, listed once. Every other list of them is checked
// against this one by js/test/methods.test.mjs: the snippet's stub
// (snippet.js, which is pasted into pages and cannot import), the Client
// class (client.js) and its types (exponea.d.ts, ReadyClient). A member
// added in one place only fails that test.

// RECORDS make records: the bridge journals them (and their Promises
// settle once the record is durable), and the snippet's stub keeps them in
// localStorage, so another page sends them if this one closes before the
// SDK has arrived. trackPageVisit reaches the bridge as a trackEvent.
export const RECORDS = ['trackEvent', 'identifyCustomer', 'anonymize', 'trackSessionStart', 'trackSessionEnd', 'trackPageVisit']

// RUNS are the records the bridge stores together, in one journal entry.
export const RUNS = ['trackEvent', 'identifyCustomer']

// CALLS are the other methods: they return Promises, and the stub queues
// them until the SDK has arrived.
export const CALLS = [
  'setDefaultProperties', 'setFlushMode', 'setFlushPeriod', 'flushData', 'getCustomerCookie',
  'getQueueLength', 'getStats', 'grantConsent', 'revokeConsent', 'on',
]

// GETTERS answer at once on the client. On the stub, before the SDK has
// arrived, they are queued like the rest and return a Promise of the
// answer; once it has, the stub's client answers as the client does.
export const GETTERS = ['getConsent', 'getDefaultProperties', 'getFlushMode', 'getFlushPeriod', 'off']

// METHODS are every method of the client, as the stub lists them.
export const METHODS = [...RECORDS, ...CALLS, ...GETTERS]

// PROPERTIES are the client's read-only properties; the stub's client reads
// them from the client once the SDK has arrived (ready, before).
export const PROPERTIES = ['ready', 'storage', 'runsIn', 'startup']
