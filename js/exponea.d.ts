// Types for the exponea-wasm SDK.

export type FlushMode = 'immediate' | 'period' | 'appClose' | 'manual'

/** A JSON-serializable value: what event and customer properties may hold. */
export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue }
export type Properties = { [key: string]: JSONValue }

export interface Config {
  /** The Bloomreach Engagement project token. */
  projectToken: string
  /** The Authorization header value, e.g. 'Token <public key>'. */
  authorization?: string
  /** API base URL; default 'https://api.exponea.com'. */
  baseUrl?: string
  /** Merged under every event's properties; the event's win. */
  defaultProperties?: Properties
  /** Apply defaultProperties to identifyCustomer too; default true. */
  allowDefaultCustomerProperties?: boolean
  /** Track session_start / session_end automatically; default true. */
  automaticSessionTracking?: boolean
  /** Seconds of inactivity that end a session; default 60. */
  sessionTimeout?: number
  manualSessionAutoClose?: boolean
  /** Default 'immediate'. */
  flushMode?: FlushMode
  /** Milliseconds between flushes in 'period' mode; default 3600000. */
  flushPeriod?: number
  /** How often the server may reject a command before it is dropped: 1–1000, default 10. */
  flushMaxRetries?: number
  /** Where exponea.wasm is; default: beside the script or module. */
  wasmUrl?: string | URL
  /** Where exponea.worker.js is; default: beside the script or module. */
  workerUrl?: string | URL
  /** false runs the SDK's Go side on the page (as host: 'page'). */
  worker?: boolean
  /**
   * Where the SDK's Go side runs. 'auto' (default): a SharedWorker where
   * the engine has one — one Go program for every page of the origin,
   * tabs and the pages of a visit — else a dedicated Worker, else the
   * page. 'sharedworker', 'worker' (a dedicated Worker per page) and
   * 'page' ask for one; where it cannot start the SDK falls back, and
   * startup.hostReason says why. Any other value throws a RangeError.
   */
  host?: 'auto' | 'sharedworker' | 'worker' | 'page'
  /**
   * When the SDK fetches its wasm and Worker. 'idle' (default): after the
   * page's load event and an idle period (requestIdleCallback, else a short
   * timer), so that they never compete with the page's own content; calls
   * made meanwhile are journaled and handed over then. 'eager': at once.
   * Any other value throws a RangeError.
   */
  start?: 'idle' | 'eager'
  /** IndexedDB database name; default 'exponea:<projectToken>'. */
  dbName?: string
  /** Queue bounds (default 10000 records, 10 MiB); when full the oldest events are evicted with a 'drop' report. */
  maxQueueRecords?: number
  maxQueueBytes?: number
  /**
   * Whether the visitor lets the site track them; default 'granted'.
   * 'pending': calls are kept (durably) but nothing is sent, not even the
   * cookie, until grantConsent(). 'denied': nothing is kept; calls are
   * dropped with a drop report. A decision is shared by every tab and later
   * page; 'pending' here defers to a decision stored before.
   */
  consent?: 'granted' | 'pending' | 'denied'
  /** Log each call, batch, answer and retry to the console, prefixed [exponea]; also switched on by localStorage['exponea:debug'] = '1'. */
  debug?: boolean
  /**
   * Track a `page_visit` when the page loads (true), and also on every
   * route change of a single-page app ('spa': pushState/replaceState to
   * another URL, back and forward within the page); default false.
   */
  trackPageVisits?: boolean | 'spa'
  /** With trackPageVisits: 'spa', a change of the URL's fragment alone (#...) is a route change too; default false. */
  trackHashChanges?: boolean
}

/** The properties of a `page_visit` (Bloomreach's names); the campaign parameters are there when the URL has them. */
export interface PageVisit {
  location: string
  path: string
  title: string
  referrer: string
  utm_source?: string
  utm_medium?: string
  utm_campaign?: string
  utm_term?: string
  utm_content?: string
  gclid?: string
  fbclid?: string
}

export interface Event {
  /** The event type, e.g. 'purchase'. */
  name: string
  properties?: Properties
  /** Unix seconds (may be fractional); default: when trackEvent was called. */
  timestamp?: number
}

export interface Customer {
  /** Customer ids, e.g. { registered: 'a@b.com' }; merged into the stored ones. */
  ids?: { [key: string]: string }
  properties?: Properties
}

export interface FlushResult {
  /** Commands put on the wire. */
  sent: number
  /** Records the server confirmed (deleted from the queue). */
  confirmed: number
  /** Records still queued. */
  kept: number
  /** Records given up after flushMaxRetries rejections. */
  dropped: number
  requests: number
}

export interface FlushEvent { status: number; confirmed: number; rejected: number }
export interface ErrorEvent { message: string; paused: boolean; retryAt?: number }
export interface DropEvent { id: string; kind: 'event' | 'customer'; reason: string; rejections: number }

/** The SDK's start-up: the wait before it, then ms since the start began (see Client.startup). */
export interface Startup {
  /** ms from configure until the start began (0 with start: 'eager'). */
  waited?: number
  /** Where the Go side runs (as runsIn). */
  host?: 'sharedworker' | 'worker' | 'page'
  /** Why it does not run where asked (host), if it does not. */
  hostReason?: string
  /** A SharedWorker's lifetime: 'extended' (it outlives the last page for a while: Chromium) or 'page'. */
  lifetime?: 'extended' | 'page'
  /** The page joined a SharedWorker's Go program that was running already: nothing was downloaded, compiled or booted. */
  joined?: boolean
  worker?: number
  script?: number
  compiled?: number
  instantiated?: number
  booted?: number
  configured?: number
  openMs?: number
  /** The worker began opening IndexedDB while the wasm downloaded and compiled, and configure took that connection. */
  openedEarly?: boolean
}

/**
 * What Exponea.configure returns. It chains like a Promise of the ready
 * client: awaiting it, `then`, `catch` and `finally` wait for `ready`, and
 * give the same client as a ReadyClient: without `then`, `catch` and
 * `finally`, since a thenable that resolved to itself could never be
 * awaited (TypeScript refuses `await` on such a type, error TS1062).
 */
export interface Client extends ReadyClient, PromiseLike<ReadyClient> {
  /** Runs onrejected if the SDK cannot start (the reason of `ready`). */
  catch<T = never>(onrejected?: ((reason: any) => T | PromiseLike<T>) | null): Promise<ReadyClient | T>
  /** Runs onfinally once the start has settled, either way. */
  finally(onfinally?: (() => void) | null): Promise<ReadyClient>
}

/** The client's members: a Client less `then`. */
export interface ReadyClient {
  /**
   * Resolves once the SDK has started and its queue is open (methods work
   * before: their calls are journaled and handed over then); rejects with
   * the reason if it cannot start, and the calls that make records stay in
   * the page's journal for a later page.
   */
  readonly ready: Promise<void>
  /** 'indexeddb', or 'memory' when IndexedDB could not be opened; undefined until ready. */
  readonly storage: 'indexeddb' | 'memory' | undefined
  /** 'sharedworker' (one Go program for the origin's pages), 'worker' (a dedicated Worker) or 'page'; undefined until ready. */
  readonly runsIn: 'sharedworker' | 'worker' | 'page' | undefined
  /**
   * Where the start-up's time went; empty until the start has begun.
   * waited: ms from configure until the start began (the wait for the
   * page's load and an idle period; 0 with start: 'eager'). The rest are
   * ms since the last start (or a restart) began; a phase not reached yet
   * is absent. worker: the Worker was
   * created; script: its script ran; compiled: the wasm was downloaded and
   * compiled (on the page, beside the Worker's start); instantiated; booted:
   * the Go runtime was up; configured: configure answered (ready). openMs:
   * of configure's time, the time opening IndexedDB.
   */
  readonly startup: Startup
  /** Resolves once the event is durably queued (not when it is sent). */
  trackEvent(event: Event): Promise<void>
  identifyCustomer(customer: Customer): Promise<void>
  /** Tracks a `page_visit` of the page as it is now (see PageVisit), with properties over those; resolves once it is durably queued. */
  trackPageVisit(properties?: Properties): Promise<void>
  /** The customer's cookie (a UUID); '' while consent is denied. */
  getCustomerCookie(): Promise<string>
  /** The visitor gave consent: what was kept is sent; every tab and later page follow. */
  grantConsent(): Promise<void>
  /** The visitor withdrew consent: the queue, cookie and ids are deleted in every tab; later calls are dropped with a drop report. */
  revokeConsent(): Promise<void>
  /** 'granted', 'pending' or 'denied', as the SDK last said. */
  getConsent(): 'granted' | 'pending' | 'denied'
  /** New customer: ends the session, new cookie, no ids; every tab switches. */
  anonymize(): Promise<void>
  /** Manual sessions, for automaticSessionTracking: false (ignored with a warning otherwise). */
  trackSessionStart(options?: { timestamp?: number }): Promise<void>
  trackSessionEnd(options?: { timestamp?: number }): Promise<void>
  setDefaultProperties(properties: Properties): Promise<void>
  getDefaultProperties(): Properties
  setFlushMode(mode: FlushMode): Promise<void>
  getFlushMode(): FlushMode
  /** Milliseconds. */
  setFlushPeriod(ms: number): Promise<void>
  getFlushPeriod(): number
  flushData(): Promise<FlushResult>
  getQueueLength(): Promise<number>
  /** dropped: records given up since configure (rejected by the server or evicted from a full queue). */
  getStats(): Promise<{ length: number; bytes: number; dropped: number; storage: 'indexeddb' | 'memory'; wasmMemory: number }>
  on(type: 'flush', fn: (e: FlushEvent) => void): () => void
  on(type: 'error', fn: (e: ErrorEvent) => void): () => void
  on(type: 'drop', fn: (e: DropEvent) => void): () => void
  off(type: 'flush' | 'error' | 'drop', fn: (e: any) => void): void
}

export interface ExponeaStatic {
  /** The SDK's version. */
  readonly version: string
  /**
   * Starts the SDK and returns its client at once (awaiting it waits for
   * ready). Bad configuration throws a TypeError or RangeError naming the
   * field; calling it again with the same configuration returns the same
   * client, with another throws.
   */
  configure(config: Config): Client
}

export declare const Exponea: ExponeaStatic
export default Exponea
