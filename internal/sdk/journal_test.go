package sdk

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/sdk/journal"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// journaled applies calls of one journal entry, as the loader hands over a
// journal entry, and waits for their answers.
func (e *env) journaled(entry string, calls ...tracker.Call) []Answer {
	e.t.Helper()
	for i := range calls {
		e.nextID++
		calls[i].ID, calls[i].Entry, calls[i].TimeMs = e.nextID, entry, unixMs(e.clock.Now())
	}
	e.s.Apply(calls)
	out := make([]Answer, len(calls))
	for i, c := range calls {
		out[i] = e.answer(c.ID)
	}
	return out
}

// A journal entry handed over twice — the page's own post, then a replay by
// a restarted Worker or the next page — is stored once, under the page's
// record ids, and every call is answered as durable both times.
func TestJournalEntryIsAppliedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"manual","automaticSessionTracking":false`)
		entry := journal.EntryBefore(t0) + "-a1"
		calls := func() []tracker.Call {
			return []tracker.Call{
				{Method: "trackEvent", Args: []byte(`{"name":"a"}`), Key: "k-a"},
				{Method: "identifyCustomer", Args: []byte(`{"ids":{"registered":"x@y.z"}}`), Key: "k-b"},
			}
		}
		for round := range 2 {
			for i, a := range e.journaled(entry, calls()...) {
				if a.Err != nil {
					t.Fatalf("round %d, call %d: %v", round, i, a.Err)
				}
			}
		}
		anon := journal.EntryBefore(t0) + "-a2"
		before := string(e.call("getCustomerCookie", "").Value)
		e.journaled(anon, tracker.Call{Method: "anonymize"})
		after := string(e.call("getCustomerCookie", "").Value)
		e.journaled(anon, tracker.Call{Method: "anonymize"})
		if again := string(e.call("getCustomerCookie", "").Value); after == before || again != after {
			t.Errorf("cookies %s → %s → %s; want one change", before, after, again)
		}
		e.call("flushData", "")
		cmds := e.sender.commands(t)
		var got []string
		for _, c := range cmds {
			got = append(got, c.ID)
		}
		if len(cmds) != 4 || cmds[1].ID != "k-a" || cmds[2].ID != "k-b" || cmds[3].EventType != "installation" {
			t.Fatalf("sent %v; want installation, k-a, k-b and the new customer's installation", got)
		}
		ids := e.out.of("_identity")
		if len(ids) != 2 || !strings.Contains(ids[0], `"registered":"x@y.z"`) || strings.Contains(ids[1], "registered") {
			t.Errorf("_identity reports %v; want the merged ids, then the new customer's", ids)
		}
	})
}

// Records the page sent at close are held out of the SDK's own requests
// until the keepalive answer settles them.
func TestRecordsSentAtCloseAreHeldUntilTheAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"manual","automaticSessionTracking":false`)
		e.call("flushData", "") // the installation
		e.journaled(journal.EntryBefore(t0)+"-c1", tracker.Call{Method: "trackEvent", Args: []byte(`{"name":"bye"}`), Key: "k-bye"})
		e.call("_closeSent", `["k-bye"]`)
		if res := e.call("flushData", ""); field(t, string(res.Value), "sent") != "0" || field(t, string(res.Value), "kept") != "1" {
			t.Fatalf("flushData while the close path's request is out: %s", res.Value)
		}
		failed := `{"ids":["k-bye"],"failed":true}`
		e.call("_keepaliveDone", failed)
		e.eventually("the failure settled", func() bool { return len(e.out.of("error")) == 1 })
		if res := e.call("flushData", ""); field(t, string(res.Value), "confirmed") != "1" {
			t.Fatalf("after the keepalive failed: %s; want it sent", res.Value)
		}
	})
}

func TestOldJournalMarksAreDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := queue.NewMemory()
		ctx := ctxlite.Background()
		old := journal.EntryBefore(t0.Add(-journal.MarkLifetime-time.Millisecond)) + "-a"
		recent := journal.EntryBefore(t0.Add(-journal.MarkLifetime)) + "-b"
		for _, m := range []string{old, recent} {
			if _, _, err := store.AppendOnce(ctx, []queue.Batch{{Mark: m}}); err != nil {
				t.Fatal(err)
			}
		}
		e := newEnv(t, func(p *Platform) {
			p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return store, nil }
		})
		e.store = store
		e.configure(`,"flushMode":"manual"`)
		// Housekeeping runs after configure has answered.
		e.eventually("the mark older than journal.MarkLifetime dropped", func() bool {
			_, ok, _ := store.GetState(ctx, queue.MarkKey(old))
			return !ok
		})
		e.settle() // the housekeeping done
		if _, ok, _ := store.GetState(ctx, queue.MarkKey(recent)); !ok {
			t.Error("a recent mark was dropped")
		}
	})
}

// countingStore counts AppendOnce calls: transactions, for IndexedDB.
type countingStore struct {
	queue.Store
	mu   sync.Mutex
	once int
}

func (s *countingStore) AppendOnce(ctx ctxlite.Context, b []queue.Batch) ([]queue.Record, []bool, error) {
	s.mu.Lock()
	s.once++
	s.mu.Unlock()
	return s.Store.AppendOnce(ctx, b)
}

// Journal entries of several tasks that reach the SDK together share one
// transaction (group commit), up to MaxCallsPerApply calls; an entry is
// never split across two.
func TestJournalEntriesShareATransactionButAreNeverSplit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cs := &countingStore{Store: queue.NewMemory()}
		e := newEnv(t, func(p *Platform) { p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return cs, nil } })
		e.store = cs
		e.configure(`,"flushMode":"manual","automaticSessionTracking":false`)
		var calls []tracker.Call
		entry := func(name string, n int) {
			key := journal.EntryBefore(t0) + "-" + name
			for i := range n {
				e.nextID++
				calls = append(calls, tracker.Call{ID: e.nextID, Method: "trackEvent", Args: []byte(`{"name":"` + name + `"}`),
					Key: name + "-" + strconv.Itoa(i), Entry: key})
			}
		}
		for i := range 10 {
			entry("small"+strconv.Itoa(i), 1)
		}
		entry("a", 300)
		entry("b", 300)
		e.s.Apply(calls)
		for _, c := range calls {
			if a := e.answer(c.ID); a.Err != nil {
				t.Fatal(a.Err)
			}
		}
		if cs.once != 2 {
			t.Errorf("%d transactions, want 2: the small entries and a, then b", cs.once)
		}
		if n := e.queued(); n != 1+10+600 {
			t.Errorf("queued %d, want %d", n, 611)
		}
	})
}

// configure is answered on its own, and delivered at once (Out.Flush),
// before the calls handed over with it are stored (the page's ready need
// not wait for them), and the journal marks older than
// journal.MarkLifetime are dropped after it.
func TestConfigureAnswersFirstAndDropsOldMarksAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		old := journal.EntryBefore(e.clock.Now().Add(-journal.MarkLifetime-time.Hour)) + "-1-x"
		recent := journal.EntryBefore(e.clock.Now().Add(-time.Hour)) + "-1-y"
		for _, m := range []string{old, recent} {
			if _, err := e.store.UpdateState(ctxlite.Background(), queue.MarkKey(m), func(string, bool) (string, bool) { return "1", true }); err != nil {
				t.Fatal(err)
			}
		}
		cfg := `{"config":{"projectToken":"p","authorization":"Token k","baseUrl":"https://api.example","automaticSessionTracking":false},"page":` + page + `}`
		e.s.Apply([]tracker.Call{
			{ID: 1, Method: "configure", Args: []byte(cfg), TimeMs: unixMs(e.clock.Now())},
			{ID: 2, Method: "trackEvent", Args: []byte(`{"name":"a"}`), TimeMs: unixMs(e.clock.Now())},
		})
		e.eventually("both answered", func() bool {
			e.out.mu.Lock()
			defer e.out.mu.Unlock()
			return len(e.out.answers) == 2
		})
		e.out.mu.Lock()
		first, flushed := e.out.batches[0], e.out.flushed
		e.out.mu.Unlock()
		if len(first) != 1 || first[0] != 1 {
			t.Errorf("first answers %v, want configure's alone", first)
		}
		// Delivered at once: the worker would otherwise post it only
		// once the Go program waits, after storing the calls handed over
		// and running the work left for after the answer.
		if len(flushed) != 1 || flushed[0] != 1 {
			t.Errorf("flushed after %v answer batches, want once, right after configure's", flushed)
		}
		e.eventually("the old mark dropped", func() bool {
			_, ok, _ := e.store.GetState(ctxlite.Background(), queue.MarkKey(old))
			return !ok
		})
		e.settle() // the housekeeping done
		if _, ok, _ := e.store.GetState(ctxlite.Background(), queue.MarkKey(recent)); !ok {
			t.Error("a recent mark was dropped")
		}
	})
}
