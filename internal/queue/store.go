package queue

import (
	"errors"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
)

// ErrQuota is returned (wrapped) when the store has no room for a write.
var ErrQuota = errors.New("queue: storage quota exceeded")

// ErrClosed is returned (wrapped) when the store was closed, for instance
// because another tab upgraded the database schema.
var ErrClosed = errors.New("queue: store closed")

// Batch is records to store once under a mark (see Store.AppendOnce).
type Batch struct {
	// Mark names the batch; "" stores it without one (every time).
	Mark string
	Recs []Record
}

// MarkKey is the state key under which AppendOnce records a mark. Marks
// are ordinary state values: work that is not one Append (anonymize, say)
// can record its own with UpdateState.
func MarkKey(mark string) string { return markPrefix + mark }

const markPrefix = "mark:"

// Store is the durable queue and state. Every method that writes commits its
// writes atomically (one IndexedDB transaction) before it returns nil.
type Store interface {
	// Append stores recs in order, assigning each a Seq greater than every
	// Seq stored before; it returns the records with Seq set. All or none
	// are stored.
	Append(ctx ctxlite.Context, recs []Record) ([]Record, error)
	// AppendOnce stores batches in order, in one transaction, each once: a
	// batch whose mark was recorded before is skipped; the others are
	// stored, as Append stores records, and their marks recorded. A batch
	// handed over more than once — a page's journal replayed after a crash,
	// by this tab or another — is stored once. It returns the records
	// stored, with Seq set, and which batches were skipped.
	AppendOnce(ctx ctxlite.Context, batches []Batch) (stored []Record, skipped []bool, err error)
	// DropMarks deletes the marks that sort before the mark before.
	DropMarks(ctx ctxlite.Context, before string) error
	// Oldest returns up to n records in Seq order, starting after Seq after
	// (0: from the start).
	Oldest(ctx ctxlite.Context, after int64, n int) ([]Record, error)
	// Update replaces the stored records that have the same Seq (to record
	// rejections or NotBeforeMs). Records that are no longer stored
	// are skipped, not recreated.
	Update(ctx ctxlite.Context, recs []Record) error
	// Delete removes the records with these Seqs; missing ones are ignored.
	Delete(ctx ctxlite.Context, seqs []int64) error
	// Count returns the number of records and the sum of their sizes. It
	// may read the whole queue; Len is the cheap way to the number alone.
	Count(ctx ctxlite.Context) (n int, bytes int64, err error)
	// Len returns the number of records.
	Len(ctx ctxlite.Context) (int, error)
	// GetState returns the state value for key, and whether it exists.
	GetState(ctx ctxlite.Context, key string) (string, bool, error)
	// UpdateState reads key, calls fn with the old value and runs the write
	// fn asks for, atomically with respect to every other tab: fn returns the
	// new value and whether to write it. fn must not block or wait. It
	// returns the value stored after the call.
	UpdateState(ctx ctxlite.Context, key string, fn func(old string, ok bool) (string, bool)) (string, error)
	// Close releases the store; later calls fail with ErrClosed.
	Close() error
}

// DeleteReader is a Store that deletes records and reads the ones after a
// cursor in one transaction. The flusher, working through a backlog,
// deletes each confirmed batch and reads the next with one
// DeleteThenOldest instead of a Delete and an Oldest: in IndexedDB, one
// transaction per batch instead of two.
type DeleteReader interface {
	Store
	// DeleteThenOldest removes the records with these Seqs (missing ones
	// are ignored), then returns up to n records after Seq after as Oldest
	// does, read once the delete is done: a deleted record is never among
	// them. Both happen in one transaction: a nil error means the delete
	// is committed; after an error the records of seqs may still be
	// stored (as after a failed Delete), and nothing else was deleted.
	DeleteThenOldest(ctx ctxlite.Context, seqs []int64, after int64, n int) ([]Record, error)
}

// Snapshotter is a Store that reads, in one transaction, what an SDK's
// start needs: the queue's count and size (as Count) and the values of some
// state keys (as GetState), and writes the values a start must store first
// (init). In IndexedDB one transaction instead of one per read and one per
// write; without init it is readonly.
type Snapshotter interface {
	Store
	Snapshot(ctx ctxlite.Context, keys []string, init Init) (Snapshot, error)
}

// Init is called, inside a Snapshot's transaction, with each key's index
// and what is stored under it, and says what to store instead, as
// UpdateState's fn; the Snapshot then holds what is stored.
type Init func(i int, old string, ok bool) (string, bool)

// Snapshot is what Snapshotter.Snapshot read: N records of Bytes bytes in
// all, and for each key asked for, its value (Values[i]) and whether it is
// stored (Has[i]).
type Snapshot struct {
	N      int
	Bytes  int64
	Values []string
	Has    []bool
}
