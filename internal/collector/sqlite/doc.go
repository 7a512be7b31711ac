// Package sqlite is the collector's embedded storage: one SQLite file
// (pure-Go driver modernc.org/sqlite) holding the events, the customer
// updates, the counters and the relay's outbox, under the contract of
// package store.
//
// The writer (writer.go) owns the only write connection and commits every
// job waiting for it in one transaction (group commit), each job in its
// own savepoint; a Commit returns after that commit, so a 200 means the
// data is on disk. Dedupe on command_id is an in-memory index of the
// newest ids (dedupe.go), persisted in an append-only ledger: the tables
// have no index but their row ids, so a write touches the end of each
// table and little else. Requests refused before storage are counted in
// memory and written once a second (store.Tally). Reads use a separate
// pool, which WAL mode lets run beside the writer.
package sqlite
