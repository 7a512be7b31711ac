package blocks

// The queue is kept in blocks of records, not one IndexedDB value per
// record: Chromium spends about 100 µs on every put request whatever its
// size, so 10,000 single-record puts take 1.0–1.5 s where one put of the
// same 10,000 records takes under 0.1 s (measured in Chromium 156, in a page
// and in a Worker).
//
// The blocks store has key path "k" and a key generator, so a block's key k
// is assigned when it is first put and never reused, in any tab. Its value
// is {k, o: [offset, …], z: [size, …], r: [record, …]} (Append is the
// encoding): up to Span records (record objects of AppendJSON without seq),
// their distinct offsets in [0, Span), ascending, and their sizes
// (queue.Record.Size), so that the store's Count can read sizes without
// copying any record into Go. A record's seq is k×Span + offset, so seqs
// grow with every append and the block of a seq is seq/Span (KeyOf). A
// block only ever loses records after it is written, and is deleted when it
// has none left. The multiEntry index on o has one entry per record: its
// count is the queue's length, kept by IndexedDB itself.
const (
	// Span is the most records per block: the flusher's batch size, so
	// that a batch sent and confirmed usually deletes whole blocks. Part of
	// the schema: changing it needs a new idbstore.SchemaVersion.
	Span = 50
	// MaxBytes ends a block early once its bodies reach this size.
	MaxBytes = 1 << 20
)

// KeyOf returns the key of the block that holds seq.
func KeyOf(seq int64) int64 { return seq / Span }
