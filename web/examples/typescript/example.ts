// Every method and configuration field of the package's types
// (dist/exponea.d.ts as shipped in the npm tarball), as a TypeScript user
// writes them. `make test-examples` type-checks this file with `tsc --noEmit`
// under tsconfig.json (strict, plus the stricter flags) and
// tsconfig.node.json (Node's own ESM resolution), with skipLibCheck off so
// the declarations themselves are checked too. It is compiled, never run.
//
// It cannot pass by accident: the config is a Required<Config> and the
// methods fill a mapped type over Client, so a field or method added to
// the types and not used here fails to compile; and each @ts-expect-error
// line must be an error, so types that decayed to `any` fail too.
import Default, { Exponea } from 'exponea-wasm'
import type { Client, Config, Customer, DropEvent, ErrorEvent, Event, ExponeaStatic, FlushEvent, FlushMode, FlushResult, JSONValue, PageVisit, Properties, ReadyClient, Startup } from 'exponea-wasm'

const sdk: ExponeaStatic = Default
const version: string = Exponea.version

const properties: Properties = { item: 'sku-1', price: 123.45, onSale: false, tags: ['a', 'b'], size: null, dims: { w: 1, h: 2 } }
const nested: JSONValue = [1, 'two', { three: [true] }]

const config: Required<Config> = {
  projectToken: 'demo',
  authorization: 'Token demo-public-key',
  baseUrl: 'https://api.exponea.com',
  defaultProperties: { app: 'shop', nested },
  allowDefaultCustomerProperties: false,
  automaticSessionTracking: true,
  sessionTimeout: 60,
  manualSessionAutoClose: true,
  flushMode: 'immediate',
  flushPeriod: 60_000,
  flushMaxRetries: 10,
  wasmUrl: new URL('/assets/exponea.wasm', location.href),
  workerUrl: '/assets/exponea.worker.js',
  worker: true,
  host: 'auto',
  start: 'idle',
  dbName: 'exponea:demo',
  maxQueueRecords: 10_000,
  maxQueueBytes: 10 << 20,
  consent: 'pending',
  debug: false,
  trackPageVisits: 'spa',
  trackHashChanges: false,
}

const client: Client = sdk.configure(config)
// The minimal configuration.
const same: Client = Exponea.configure({ projectToken: 'demo' })

const event: Event = { name: 'purchase', properties, timestamp: Date.now() / 1000 }
const customer: Customer = { ids: { registered: 'ann@example.com' }, properties: { payingCustomer: true } }
const modes: FlushMode[] = ['immediate', 'period', 'appClose', 'manual']

// Each member of Client, used as its type says: a member added to Client
// and missing here is a compile error.
const uses: { [K in keyof Client]-?: (c: Client) => unknown } = {
  then: async (c) => {
    const ready: ReadyClient = await c
    return ready
  },
  catch: async (c) => {
    // The usual Promise idiom: configure(...).catch(report).
    const r: ReadyClient | string = await c.catch((e: unknown) => String(e))
    return r
  },
  finally: async (c) => {
    const r: ReadyClient = await c.finally(() => console.log('settled'))
    return r
  },
  ready: async (c) => {
    const v: void = await c.ready
    return v
  },
  storage: (c) => {
    const s: 'indexeddb' | 'memory' | undefined = c.storage
    return s
  },
  runsIn: (c) => {
    const r: 'sharedworker' | 'worker' | 'page' | undefined = c.runsIn
    return r
  },
  startup: (c) => {
    const s: Startup = c.startup
    const ready: number | undefined = s.configured
    const host: 'sharedworker' | 'worker' | 'page' | undefined = s.host
    const lifetime: 'extended' | 'page' | undefined = s.lifetime
    return [ready, s.waited, s.worker, s.script, s.compiled, s.instantiated, s.booted, s.openMs, host, s.hostReason, lifetime, s.joined]
  },
  trackEvent: (c) => c.trackEvent(event),
  identifyCustomer: (c) => c.identifyCustomer(customer),
  trackPageVisit: async (c) => {
    await c.trackPageVisit()
    // What a visit carries by itself; properties given add to it, or replace it.
    const own: Partial<PageVisit> = { title: 'Checkout' }
    await c.trackPageVisit({ ...own, step: 2 })
  },
  getCustomerCookie: async (c) => {
    const cookie: string = await c.getCustomerCookie()
    return cookie.length
  },
  grantConsent: (c) => c.grantConsent(),
  revokeConsent: (c) => c.revokeConsent(),
  getConsent: (c) => {
    const consent: 'granted' | 'pending' | 'denied' = c.getConsent()
    return consent
  },
  anonymize: (c) => c.anonymize(),
  trackSessionStart: async (c) => {
    await c.trackSessionStart()
    await c.trackSessionStart({ timestamp: 1_700_000_000 })
  },
  trackSessionEnd: async (c) => {
    await c.trackSessionEnd()
    await c.trackSessionEnd({ timestamp: 1_700_000_060 })
  },
  setDefaultProperties: (c) => c.setDefaultProperties({ app: 'shop' }),
  getDefaultProperties: (c) => {
    const p: Properties = c.getDefaultProperties()
    return p['app']
  },
  setFlushMode: (c) => Promise.all(modes.map((m) => c.setFlushMode(m))),
  getFlushMode: (c) => {
    const m: FlushMode = c.getFlushMode()
    return m
  },
  setFlushPeriod: (c) => c.setFlushPeriod(30_000),
  getFlushPeriod: (c) => {
    const ms: number = c.getFlushPeriod()
    return ms
  },
  flushData: async (c) => {
    const r: FlushResult = await c.flushData()
    return r.sent + r.confirmed + r.kept + r.dropped + r.requests
  },
  getQueueLength: async (c) => {
    const n: number = await c.getQueueLength()
    return n
  },
  getStats: async (c) => {
    const s = await c.getStats()
    const total: number = s.length + s.bytes + s.dropped + s.wasmMemory
    const where: 'indexeddb' | 'memory' = s.storage
    return [total, where]
  },
  on: (c) => {
    const offs: Array<() => void> = [
      c.on('flush', (e: FlushEvent) => console.log(e.status, e.confirmed, e.rejected)),
      c.on('error', (e: ErrorEvent) => console.warn(e.message, e.paused, e.retryAt ?? 'no retry')),
      c.on('drop', (e: DropEvent) => console.warn(e.id, e.kind, e.reason, e.rejections)),
      // The reports' types are inferred from the report's name.
      c.on('flush', (e) => e.status),
      c.on('drop', (e) => e.kind === 'customer'),
    ]
    offs.forEach((off) => off())
  },
  off: (c) => {
    const onFlush = (e: FlushEvent): void => console.log(e.status)
    c.on('flush', onFlush)
    c.off('flush', onFlush)
  },
}

for (const use of Object.values(uses)) void use(client)
void same.ready.then(() => version)

// What the types refuse. Each line below must fail to compile: were the
// types `any`, the directive itself would be the error.
// @ts-expect-error projectToken is required
Exponea.configure({})
// @ts-expect-error no such configuration field
Exponea.configure({ projectToken: 'demo', flushInterval: 5 })
// @ts-expect-error consent is 'granted', 'pending' or 'denied'
Exponea.configure({ projectToken: 'demo', consent: 'yes' })
// @ts-expect-error page visits are true, false or 'spa'
Exponea.configure({ projectToken: 'demo', trackPageVisits: 'hash' })
// @ts-expect-error an event needs a name
void client.trackEvent({ properties })
// @ts-expect-error a function has no JSON form
void client.trackEvent({ name: 'x', properties: { f: () => 1 } })
// @ts-expect-error customer ids are strings
void client.identifyCustomer({ ids: { registered: 42 } })
// @ts-expect-error no such flush mode
void client.setFlushMode('sometimes')
// @ts-expect-error no such report
client.on('sent', () => {})
// @ts-expect-error a flush report has no id
client.on('flush', (e) => e.id)
// @ts-expect-error version is read-only
Exponea.version = '1.0.0'
// @ts-expect-error ready is read-only
client.ready = Promise.resolve()
// @ts-expect-error the ready client is not a thenable (no catch)
void (async () => (await client).catch)()
