package postgres

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/relay"
	"github.com/exponea-wasm/tracker/internal/collector/relay/relaytest"
	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/collector/store/storetest"
)

// takeoverUpstream is a stand-in for the Tracking API that does not
// dedupe. It tells the relays apart by the first segment of the path
// (their -forward URLs differ), answers relay a's first request, and
// accepts the commands of a's later ones without ever answering them.
type takeoverUpstream struct {
	mu         sync.Mutex
	got        map[string][]string // command id → the relays that delivered it, in order
	answeredA  int                 // commands of a's answered request
	unanswered map[string]bool     // commands a delivered and never had an answer for
	hang       chan struct{}
}

func (u *takeoverUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ids, err := relaytest.CommandIDs(r)
	if err != nil {
		http.Error(w, "bad", 400)
		return
	}
	who := relaytest.Who(r)
	u.mu.Lock()
	hang := who == "a" && u.answeredA > 0
	for _, id := range ids {
		u.got[id] = append(u.got[id], who)
		if hang {
			u.unanswered[id] = true
		}
	}
	if who == "a" && !hang {
		u.answeredA = len(ids)
	}
	u.mu.Unlock()
	if hang {
		select { // a dies with this request on the wire
		case <-u.hang:
		case <-r.Context().Done():
		}
		return
	}
	relaytest.Accept(w, len(ids))
}

// TestRelayTakeover: two relays on one outbox, against an upstream that
// does not dedupe. Relay a sends, has one request answered (and deletes
// its commands), and dies with its next requests unanswered. Relay b
// takes a's claimed commands over once the lease has run out and sends
// them under the same command_id: nothing is lost, and the upstream has
// twice exactly the commands of the requests a sent and never had an
// answer for: the documented duplicates.
func TestRelayTakeover(t *testing.T) {
	url := freshDB(t)
	const lease = 500 * time.Millisecond
	up := &takeoverUpstream{got: map[string][]string{}, unanswered: map[string]bool{}, hang: make(chan struct{})}
	us := httptest.NewServer(up)
	defer us.Close()
	defer close(up.hang)
	a, b := open(t, url, Options{Lease: lease}), open(t, url, Options{Lease: lease})
	const total = 180
	var recs []store.Record
	for i := range total {
		recs = append(recs, storetest.Ev(fmt.Sprintf("cmd-%03d", i), "c", "x"))
	}
	if err := a.Commit(store.Write{Project: "p", Records: recs, ReceivedAt: 1, Commands: total, Status: 200, Relay: true}); err != nil {
		t.Fatal(err)
	}
	startRelay := func(st *Store, who string) func() {
		r, err := relay.New(relay.Config{Forward: us.URL + "/" + who, Key: "kid:s", Projects: []string{"p"}, Outboxes: st,
			Backoff: 10 * time.Millisecond, Poll: 50 * time.Millisecond, Logf: t.Logf})
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		r.Start(stop)
		var once sync.Once
		return func() { once.Do(func() { close(stop); r.Wait() }) }
	}
	stopA := startRelay(a, "a")
	// a dies once its answered request's commands are deleted and another
	// request of its is on the wire.
	deadline := time.Now().Add(10 * time.Second)
	for {
		up.mu.Lock()
		answered, hanging := up.answeredA, len(up.unanswered)
		up.mu.Unlock()
		n, err := a.Outbox("p").Len(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if answered > 0 && hanging > 0 && n == total-answered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a did not get to the point of its death in 10 s: %d answered, %d unanswered, %d left", answered, hanging, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stopA()
	a.Close()
	died := time.Now()

	stopB := startRelay(b, "b")
	defer stopB()
	for {
		n, err := b.Outbox("p").Len(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Since(died) > 20*time.Second {
			t.Fatalf("%d commands still in the outbox 20 s after a died", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	lost, dups := 0, 0
	for i := range total {
		id := fmt.Sprintf("cmd-%03d", i)
		got := up.got[id]
		switch {
		case len(got) == 0:
			lost++
		case len(got) == 1:
			if up.unanswered[id] {
				t.Errorf("%s: a's unanswered command reached the upstream once only (%v): b did not take it over", id, got)
			}
		default:
			dups++
			if !up.unanswered[id] || fmt.Sprint(got) != "[a b]" {
				t.Errorf("%s delivered %v; a duplicate is only a's unanswered command, sent again by b", id, got)
			}
		}
	}
	t.Logf("%d commands: %d answered to a, %d in a's unanswered requests, %d delivered twice, %d lost; b took over %v after a died (lease %v)",
		total, up.answeredA, len(up.unanswered), dups, lost, time.Since(died).Round(time.Millisecond), lease)
	if lost != 0 || dups != len(up.unanswered) {
		t.Errorf("lost %d, duplicates %d; want 0 lost, %d duplicates", lost, dups, len(up.unanswered))
	}
}
