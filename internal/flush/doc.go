// Package flush sends the tracker's durable queue, without touching the
// browser; when to send is package schedule's (internal/flush/schedule).
// It never imports syscall/js and carries no build tags
// (internal/sdk/purity_test.go checks), so `go test -race` runs all of it
// natively with a fake clock, jitter source, sender and store.
//
// # Sending
//
// Flusher.Flush walks the queue.Store oldest first and sends every record
// that is due (its NotBeforeMs has passed, and it is not held: see Hold)
// in batches (Batch, Body: at most 50 commands, body under 800,000 bytes),
// with up to MaxInFlight requests on the wire (see Pipelining). Decide turns
// each answer into a Verdict:
//
//   - 2xx: the response's per-command results (wire.ParseResults). A confirmed
//     command's record is deleted, and only then. A rejected one counts a
//     rejection and is held back by NotBeforeMs = now + backoff(rejections),
//     so it is not hammered and never blocks the records behind it; after
//     MaxRetries rejections it is deleted and reported to OnDrop with the
//     server's reasons. A 2xx whose results do not parse or do not match the
//     batch is treated like a 5xx: nothing says what arrived.
//   - 400 and other 4xx for several records: the batch is bisected, each
//     half sent alone, until the refused record is alone; a lone refused
//     record counts one rejection. One bad record among n costs at most
//     2·⌈log2 n⌉ extra requests.
//   - 401/403/404: sending pauses, everything is kept, OnError is told;
//     only a forced (manual) flush sends again.
//   - 408, 429, 5xx, 1xx/3xx, no response: everything is kept, no record is
//     charged, and the Flusher backs off (retry.Backoff: exponential, full
//     jitter, floor Base; at most one request per Base during an outage),
//     never sooner than Retry-After (retry.ParseAfter).
//
// Each batch's outcome is written with one Delete and one Update call. A
// failing store call ends the pass with the records kept; the worst a
// failure can cause is a resend, which the server dedupes on command_id.
// Flush calls are serialized: one pass at a time per Flusher. The store
// work overlaps the requests: while a full batch (one of MaxCommands, the
// sign of a backlog) is on the wire, the next page is read and the previous
// answer's outcome written, and the pass waits for that write before it
// acts on the next answer (a failed write ends the pass there, the answers
// still to come unused and their records still queued).
//
// A store that is a queue.DeleteReader (IndexedDB's, the memory store)
// deletes a batch whose records were all confirmed or dropped in one
// transaction with the pass's next read (DeleteThenOldest), instead of a
// Delete and an Oldest: one transaction per batch of a backlog, not two.
// The read is the read ahead of the request that the answer let go out, so
// the next request still goes out on a page read before. A delete that no
// read follows goes behind the requests as before. A batch with a rejected
// record is written with Delete and Update.
//
// # Pipelining
//
// A pass keeps up to MaxInFlight requests on the wire, each a batch of its
// own records (no record is in two requests at once), and acts on the
// answers in the order they come, one at a time. The window opens one
// request at a time: a pass starts with one request and allows one more
// after each batch the server accepts, so an outage costs one request per
// pass, as a sequential sender's would; and a second request goes out
// only while there is a backlog (the last batch read was full), so records
// tracked now and then go one request at a time, each carrying what came
// while the one before was on the wire. The first failure (or pause) stops
// the pass from sending: the requests still in flight are awaited and
// their records settled (a success confirms, a failure keeps), but they
// neither reopen the gate nor count as more failures. A batch holding a
// customers command flies alone, after everything before it is answered
// and before anything after it is sent, so a customer's property updates
// reach the server in the order they were made; events, which carry their
// own timestamps, may be confirmed in any order.
//
// # Page close
//
// At pagehide there is no time for IndexedDB (nor, when this package runs in
// a Worker, for a message to it): in every mode that SendsOnHide (package
// schedule), the loader on the page sends keepalive fetches from its
// in-memory copy of what is unsent, within the browser's 64 KiB keepalive
// budget, and the records stay stored until a later answer (Settle) or the
// next visit confirms them. Settle applies such an answer's per-command outcomes; its failures
// never pause or back off the sender.
//
// # Wiring
//
// A browser binding sends when package schedule's Scheduler says so:
// Flush(ctx, force) with force for flushData, then a retry timer at
// Result.Next.
package flush
