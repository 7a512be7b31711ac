// Package bench measures a collector binary from the outside, as clients
// would: batches of 50 events posted over loopback HTTP by a number of
// concurrent clients, each waiting for its answer before it sends the next
// batch (as the SDK does). It reports batches/s, events/s and the latency
// percentiles per concurrency level, then checks durability: the collector
// is killed with SIGKILL while it is under load, restarted on the same
// database, and every batch that had been answered 200 must be stored, whole
// (no batch is ever partly stored), with SQLite's integrity_check ok.
//
// It prints figures and never judges them: speed is machine-dependent, so
// no test asserts it. cmd/collector/bench is its command line and `make
// bench-collector` runs it.
package bench
