package relay

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/relay/relaytest"
	"github.com/exponea-wasm/tracker/internal/collector/sqlite"
	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// TestRelayUnderFaults: commands in the outbox reach an upstream
// that fails, rate-limits, resets connections and refuses the key for a
// while: none is lost, the SDK's resends are absorbed by the relay, and the
// upstream sees a command twice only when the answer to a request carrying
// it was cut.
func TestRelayUnderFaults(t *testing.T) {
	up := relaytest.New(t)
	up.Down = true
	us := httptest.NewServer(up)
	defer us.Close()
	path := filepath.Join(t.TempDir(), "relay.db")
	st := openStore(t, path)
	r := start(t, st, us.URL+"/")

	// The SDK side: 40 batches of 10 commands from 4 clients, each batch
	// received twice (a retry after a lost answer, a resend at page
	// close); the outbox takes each command once.
	const batches, per = 40, 10
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := c; b < batches; b += 4 {
				var recs []store.Record
				for i := range per {
					recs = append(recs, event(fmt.Sprintf("b%02d-%d", b, i), "relayed"))
				}
				for range 2 {
					if err := st.Commit(store.Write{Project: "p", Records: recs, ReceivedAt: 1764320000, Commands: per,
						Status: 200, Relay: true}); err != nil {
						t.Errorf("batch %d: %v", b, err)
					}
					r.Kick("p")
				}
			}
		}()
	}
	wg.Wait()

	// Everything is in the outbox (the upstream is down).
	p := store.NewPage(store.Outbox, store.Query{Limit: 1000}, 1<<20)
	if err := st.Read(t.Context(), store.Outbox, store.Query{Limit: 1000}, p); err != nil {
		t.Fatal(err)
	}
	var box struct {
		Outbox []struct {
			Kind    string          `json:"kind"`
			Command json.RawMessage `json:"command"`
		} `json:"outbox"`
	}
	if err := json.Unmarshal(p.Close(store.Query{Limit: 1000}), &box); err != nil {
		t.Fatal(err)
	}
	if len(box.Outbox) != batches*per || box.Outbox[0].Kind != "event" || !json.Valid(box.Outbox[0].Command) {
		t.Fatalf("outbox: %d commands, first %+v", len(box.Outbox), box.Outbox[0])
	}
	if s := stats(t, st); s.Outbox != batches*per || s.DuplicatesReceived != batches*per || s.Events != 0 {
		t.Fatalf("stats before forwarding: %+v", s)
	}

	// A restart keeps the outbox. Then the upstream comes back, with faults.
	r.stop()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(15, 15))
	plan := []relaytest.Fault{relaytest.Unauthorized, relaytest.RateLimit, relaytest.OK, relaytest.RateLimit}
	for range 30 {
		plan = append(plan, []relaytest.Fault{relaytest.OK, relaytest.OK, relaytest.Fail503, relaytest.ResetBefore,
			relaytest.ResetAfter}[rng.IntN(5)])
	}
	up.Mu.Lock()
	up.Down, up.Plan = false, plan
	up.Mu.Unlock()
	st = openStore(t, path)
	start(t, st, us.URL+"/")

	deadline := time.Now().Add(60 * time.Second)
	for {
		s := stats(t, st)
		if s.Outbox == 0 && s.Forwarded == batches*per {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not forwarded within 60 s: %+v", s)
		}
		time.Sleep(20 * time.Millisecond)
	}

	up.Mu.Lock()
	defer up.Mu.Unlock()
	lost, dups := 0, 0
	for b := range batches {
		for i := range per {
			n := up.Got[fmt.Sprintf("b%02d-%d", b, i)]
			if n == 0 {
				lost++
			}
			dups += max(n-1, 0)
		}
	}
	counts := map[relaytest.Fault]int{}
	for i, s := range up.Log {
		counts[s.Fault]++
		if s.Auth != "Basic "+base64.StdEncoding.EncodeToString([]byte("kid:s3cret")) || s.Path != "/track/v2/projects/p/batch" {
			t.Fatalf("request %d: %s with %q", i, s.Path, s.Auth)
		}
		if s.Fault == relaytest.RateLimit {
			// Requests already in flight beside it (up to the flusher's
			// MaxInFlight - 1) may arrive just after it; none sent once
			// its answer was in may come before Retry-After has passed.
			beside := 0
			for j, n := range up.Log[i+1:] {
				if n.At.Sub(s.Done) >= time.Second {
					break
				}
				if beside++; beside > flush.DefaultMaxInFlight-1 || n.At.Sub(s.Done) > 100*time.Millisecond {
					t.Errorf("request %d came %v after a 429 with Retry-After: 1 was answered", i+1+j, n.At.Sub(s.Done))
					for k, x := range up.Log {
						t.Logf("request %d: fault %d, arrived %v, answered %v", k, x.Fault, x.At.Sub(up.Log[0].At), x.Done.Sub(up.Log[0].At))
					}
				}
			}
		}
	}
	t.Logf("upstream: %d requests (%d ok, %d 5xx, %d 429, %d 401, %d reset before reading, %d answers cut); "+
		"%d commands accepted by the relay from %d sent; lost %d; duplicates at the upstream %d, commands in cut answers %d",
		len(up.Log), counts[relaytest.OK], counts[relaytest.Fail503], counts[relaytest.RateLimit], counts[relaytest.Unauthorized],
		counts[relaytest.ResetBefore], counts[relaytest.ResetAfter], batches*per, 2*batches*per, lost, dups, up.Cut)
	if lost != 0 {
		t.Errorf("lost %d commands", lost)
	}
	if dups != up.Cut {
		t.Errorf("the upstream got %d duplicates, but only %d commands were in requests whose answer was cut", dups, up.Cut)
	}
	if counts[relaytest.ResetAfter] == 0 || counts[relaytest.ResetBefore] == 0 || counts[relaytest.Fail503] == 0 {
		t.Errorf("the plan did not exercise every fault: %v", counts)
	}
}

// running is a started relay.
type running struct {
	*Relay
	stop func()
}

// start runs a relay of project p from st's outbox to base, stopped at
// the test's end unless stopped before.
func start(t *testing.T, st *sqlite.Store, base string) running {
	t.Helper()
	r, err := New(Config{Forward: base, Key: "kid:s3cret", Projects: []string{"p"}, Outboxes: st,
		Backoff: 5 * time.Millisecond, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	r.Start(stop)
	var once sync.Once
	run := running{r, func() { once.Do(func() { close(stop); r.Wait() }) }}
	t.Cleanup(run.stop)
	return run
}

// openStore opens the SQLite store at path, closed at the test's end
// (after the relays started later, whose cleanups run first).
func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func stats(t *testing.T, st *sqlite.Store) store.Stats {
	t.Helper()
	s, err := st.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// event is an event record with command id id.
func event(id, eventType string) store.Record {
	return store.Record{Kind: wire.CommandEvent, CommandID: id, CustomerIDs: `{"cookie":"c"}`, EventType: eventType,
		Timestamp: 1764320000.5, Properties: `{"n":1}`}
}
