// Package store is the collector's storage contract: what the receiving
// side hands a backend (a Write of validated Records), what the read API
// asks of it (a Query, answered into a Page of JSON rows), the counters
// it keeps (Stats, and the Tally of requests that stored nothing), and
// what the relay forwards (OutboxRow), and the gathering of writes for
// group commit (Group). It holds the parts every backend
// shares, so that the SQLite file and any other backend store, count and
// read back the same things in the same JSON.
//
// It does no I/O; the backends (internal/collector/sqlite) do.
package store
