// Package collector assembles the collector: a small HTTP server that
// speaks the subset of the Bloomreach Engagement Tracking API v2 the
// tracker uses, stores what arrives in an embedded SQLite file, or relays
// it to the real API. It is the zero-setup backend for the demo, the
// browser tests and self-hosting.
//
// The jobs are packages of their own, and this one wires them together:
//
//   - ingest receives tracking requests and hands valid commands to the
//     store, in one Write per request;
//
//   - sqlite stores them (group commit, dedupe on command_id, the relay's
//     outbox), under the contract of package store; postgres does the same
//     on a database that any number of collectors and relays share
//     (Config.DBPath postgres://...);
//
//   - readapi serves what was stored under /api/ and the page at
//     /collector/;
//
//   - relay forwards the outbox upstream with the SDK's own flusher;
//
//   - access decides who may track, read and cross origins, and which
//     Host names are served;
//
//   - faults injects failures, for tests only; static serves files.
//
//   - conns admits connections: a total and a per-client cap, idle
//     keep-alive connections closed first when the slots run out.
//
// The Server listens itself (New binds Config.Addr), so it knows whether
// the address is loopback, and sets the HTTP server's timeouts and header
// limit. Every request first passes the Host check. Its tests go through
// HTTP, end to end.
package collector
