// Package journal is the Go side of the page's journal. The loader writes
// every call that makes a record — trackEvent, identifyCustomer, anonymize,
// trackSessionStart/End — to the page's synchronous storage (localStorage) in the task the call is made,
// before handing it to the SDK, and deletes the entry once the SDK has
// answered: from the instant a call returns, a tab closed in the same task,
// a reload, a crashed Worker or a slow start cannot lose it. Whatever was
// not answered is handed over again — by a restarted Worker, or by the next
// page that loads — and may also have gone out with the page-close path,
// built on the page from the journal. So every such call carries the id
// its record gets (tracker.Call.Key: the command_id, the same on every
// path) and its journal entry (tracker.Call.Entry), and the SDK applies an
// entry once, however often it is handed over: a run of trackEvent /
// identifyCustomer calls is stored with queue.Store.AppendOnce, marked in
// the same transaction (and several entries share one transaction, as calls
// of several tasks do: group commit); any other journaled call is marked
// once it is done (a crash in between makes it run again, never get lost).
//
// An entry's key is its creation time in Unix milliseconds, in
// TimeDigits digits with leading zeros, a '-' and a random part, so
// that keys sort by time; the marks of entries older than MarkLifetime are
// dropped when the SDK starts.
//
// Pure Go, no syscall/js (internal/sdk/purity_test.go checks).
package journal

import (
	"strconv"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// TimeDigits is how many digits of Unix milliseconds start an entry's key;
// MarkLifetime is how long the mark of an applied entry is kept.
const (
	TimeDigits   = 15
	MarkLifetime = 30 * 24 * time.Hour
)

// EntryBefore is the smallest entry key made at t or later.
func EntryBefore(t time.Time) string {
	s := strconv.FormatInt(t.UnixMilli(), 10)
	for len(s) < TimeDigits {
		s = "0" + s
	}
	return s
}

// Once runs fn for a journaled call of entry unless the entry was applied
// before, and marks it applied in store after. A call with no entry ("")
// just runs.
func Once(ctx ctxlite.Context, store queue.Store, entry string, fn func() error) error {
	if entry == "" {
		return fn()
	}
	if _, done, err := store.GetState(ctx, queue.MarkKey(entry)); err != nil {
		return err
	} else if done {
		return nil
	}
	if err := fn(); err != nil {
		return err
	}
	_, err := store.UpdateState(ctx, queue.MarkKey(entry), func(string, bool) (string, bool) { return "1", true })
	return err
}

// DropOld forgets the marks of entries too old, at now, to be handed over
// again (older than MarkLifetime).
func DropOld(ctx ctxlite.Context, store queue.Store, now time.Time) error {
	return store.DropMarks(ctx, EntryBefore(now.Add(-MarkLifetime)))
}
