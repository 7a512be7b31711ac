// Package collector is a small HTTP server that speaks the subset of the
// Bloomreach Engagement Tracking API v2 the tracker uses, and stores what
// arrives in an embedded SQLite file (pure-Go driver modernc.org/sqlite).
//
// It is the zero-setup backend for the demo, the browser tests and
// self-hosting. Requests to /track/v2/projects/{token}/... go through one
// pipeline: CORS, rate limit, fault injection (only when enabled), token
// check, project check, body limit, JSON parsing, per-command validation,
// then one SQLite transaction per request that dedupes on command_id and is
// committed before the response is written, so a 200 means the data is on
// disk. A JSON read API under /api/ and a page at /collector/ show what
// arrived.
//
// All writes go through one database connection, so concurrent requests are
// serialized in Go instead of racing for SQLite's write lock; reads use a
// separate pool, which WAL mode lets run beside the writer.
package collector
