// Package postgres is the collector's storage on PostgreSQL (pgx), for
// running any number of collectors, and of relays, on one database:
// the same contract as the embedded SQLite file (package store), with the
// work that one process did in memory moved into the database.
//
//   - Dedupe on command_id is a primary key, (project, command_id) in the
//     command_ids table, and INSERT ... ON CONFLICT DO NOTHING: any number
//     of collectors store each command once. Ids are inserted in key
//     order, so that two transactions never wait on each other in a
//     circle.
//   - Group commit as in SQLite: a writer per process takes every Write
//     waiting and stores them in one transaction, in one statement; a
//     Commit returns once that transaction has committed.
//   - Counters are kept per process (instance), each process adding to
//     rows of its own, so that collectors never wait on each other's
//     counter rows; reads add them up.
//   - The relay's outbox is one table for every relay: a relay claims the
//     rows it reads (FOR UPDATE SKIP LOCKED) for a lease, renewed while
//     it works on them; a row claimed by a relay that died is taken over
//     by another once the lease has run out, and sent under the same
//     command_id.
//   - The schema is created and migrated at start, in a transaction that
//     holds an advisory lock, so that instances starting together do it
//     once; schema_version records how far it went.
package postgres
