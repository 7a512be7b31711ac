// Package queue defines the durable queue's record model and the Store
// interface that the tracker and the flusher share.
//
// A Record is one queued Bloomreach command (customers/events or customers),
// already encoded as the JSON the batch endpoint takes. Records are kept in
// insertion order (Seq, assigned by the store) and are deleted only after the
// server has confirmed them. The state store beside the records holds small
// string values (the customer cookie, the stored customer ids, the install
// flag, session state) that every tab of an origin shares.
//
// Two implementations exist: internal/idbstore (IndexedDB, for the browser)
// and Memory (this package, for tests and as the fallback when IndexedDB is
// unavailable). Both satisfy the same contract, which queuetest.Run checks.
package queue
