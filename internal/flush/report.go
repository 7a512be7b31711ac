package flush

import (
	"time"

	"github.com/exponea-wasm/tracker/internal/queue"
)

// Observer receives delivery health reports. Nil funcs are skipped. The
// Flusher calls them synchronously from the flushing goroutine, one at a
// time (its own store reads and writes may be running meanwhile); they must
// return quickly and must not call Flush or Settle.
type Observer struct {
	// OnFlush is called after each batch the server answered 2xx.
	OnFlush func(FlushReport)
	// OnError is called when a request or a store call failed.
	OnError func(ErrorReport)
	// OnDrop is called for each record given up, after it was deleted.
	OnDrop func(DropReport)
	// OnAnswered is called with the records the server answered for good
	// (confirmed, or rejected for the last time) as soon as the answer is
	// read, before they are deleted: a copy kept to be sent another way
	// (the page's close path) must be forgotten at once, or it could go
	// out again after the server confirmed it.
	OnAnswered func(ids []string)
}

// FlushReport describes one batch the server answered 2xx.
type FlushReport struct {
	// Status is the HTTP status.
	Status int
	// IDs lists the records the server confirmed; they are now deleted.
	IDs []string
	// Rejected counts the commands answered success:false.
	Rejected int
}

// ErrorReport describes a failed request or store call. Records are kept.
type ErrorReport struct {
	// Err is an *HTTPError, an error matching ErrNetwork, or a store error.
	Err error
	// Next is when automatic sending may resume after a backoff (zero:
	// now, or paused).
	Next time.Time
	// Paused tells that sending is paused until a forced flush.
	Paused bool
}

// DropReport describes a record that was given up and deleted.
type DropReport struct {
	// ID is the record's command_id.
	ID string
	// Kind is the record's kind.
	Kind queue.Kind
	// Reason is the server's error text, or why the record cannot be sent.
	Reason string
	// Rejections is how often the server refused the record.
	Rejections int
}

func (f *Flusher) reportError(err error) {
	if f.obs.OnError == nil {
		return
	}
	next, paused := f.next(f.clock())
	f.obs.OnError(ErrorReport{Err: err, Next: next, Paused: paused})
}

func (f *Flusher) reportDrops(drops []DropReport) {
	if f.obs.OnDrop == nil {
		return
	}
	for _, d := range drops {
		f.obs.OnDrop(d)
	}
}
