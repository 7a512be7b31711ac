// Package collector is a small HTTP server that speaks the subset of the
// Bloomreach Engagement Tracking API v2 the tracker uses, and stores what
// arrives in an embedded SQLite file (pure-Go driver modernc.org/sqlite),
// or relays it to the real API.
//
// It is the zero-setup backend for the demo, the browser tests and
// self-hosting. Every request first passes the Host check (hosts.go).
// Requests to /track/v2/projects/{token}/... go through one pipeline: CORS,
// rate limit, fault injection (only when enabled), token check, project
// check, body limit, JSON parsing and per-command validation (the rules of
// internal/wire), then one job for the writer.
//
// The writer (writer.go) owns the only write connection and commits every
// job waiting for it in one transaction (group commit), each job in its
// own savepoint; a request is answered after that commit, so a 200 means
// the data is on disk. Dedupe on command_id is an in-memory index of the
// newest ids (dedupe.go), persisted in an append-only ledger: the tables
// have no index but their row ids, so a write touches the end of each
// table and little else. Requests refused before storage are counted in
// memory and written once a second (tally.go). Reads use a separate pool,
// which WAL mode lets run beside the writer.
//
// A JSON read API under /api/ and a page at /collector/ show what arrived;
// off loopback they need a read key (auth.go). With Config.Forward the
// collector is a relay (relay.go): accepted commands go to a durable outbox
// (a queue.Store) that the SDK's own flusher (internal/flush) sends to the
// upstream API, deleting only what it confirmed.
//
// The Server listens itself (New binds Config.Addr), so it knows whether
// the address is loopback, and sets the HTTP server's timeouts, header
// limit and connection cap.
package collector
