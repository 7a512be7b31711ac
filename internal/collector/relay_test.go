package collector

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/flush"
)

// upstream is a stub Tracking API that, like Bloomreach, does not dedupe:
// it counts every command it accepts. It answers its requests by a plan of
// faults, then 200s.
type upstream struct {
	t             *testing.T
	mu            sync.Mutex
	down          bool    // answer 503 to everything, outside the plan
	plan          []fault // what the next requests get, in order
	got           map[string]int
	refuse        map[string]bool // command ids answered success:false, always
	cut           int             // commands accepted in requests whose answer was cut
	noIDTimestamp float64         // the timestamp of the event of type "no-id"
	log           []served
}

type fault int

const (
	ok fault = iota
	fail500
	rateLimit    // 429, Retry-After: 1
	resetBefore  // the connection is closed before the body is read: nothing arrived
	resetAfter   // the commands are accepted, then the connection is closed: the answer is lost
	unauthorized // 401: the relay pauses, and tries again later
)

type served struct {
	at    time.Time // when the request arrived
	done  time.Time // when its answer was written (or its connection dropped)
	fault fault
	auth  string
	path  string
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	f := ok
	switch {
	case len(u.plan) > 0:
		f, u.plan = u.plan[0], u.plan[1:]
	case u.down:
		f = fail500
	}
	u.log = append(u.log, served{at: time.Now(), fault: f, auth: r.Header.Get("Authorization"), path: r.URL.Path})
	i := len(u.log) - 1
	u.mu.Unlock()
	defer func() {
		u.mu.Lock()
		u.log[i].done = time.Now()
		u.mu.Unlock()
	}()
	switch f {
	case fail500:
		http.Error(w, `{"success":false,"error":"upstream down"}`, 503)
		return
	case rateLimit:
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"success":false,"error":"rate limited"}`, 429)
		return
	case unauthorized:
		http.Error(w, `{"success":false,"error":"bad key"}`, 401)
		return
	case resetBefore:
		dropConnection(w)
		return
	}
	var body struct {
		Commands []struct {
			ID   string `json:"command_id"`
			Data struct {
				EventType string  `json:"event_type"`
				Timestamp float64 `json:"timestamp"`
			} `json:"data"`
		} `json:"commands"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		u.t.Errorf("upstream: bad body: %v", err)
		http.Error(w, "bad", 400)
		return
	}
	u.mu.Lock()
	results := make([]string, len(body.Commands))
	for i, c := range body.Commands {
		if u.refuse[c.ID] {
			results[i] = `{"success":false,"errors":["refused"]}`
			continue
		}
		u.got[c.ID]++
		if c.Data.EventType == "no-id" {
			u.noIDTimestamp = c.Data.Timestamp
		}
		results[i] = `{"success":true}`
	}
	if f == resetAfter {
		u.cut += len(body.Commands)
	}
	u.mu.Unlock()
	if f == resetAfter {
		dropConnection(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"results":[`+strings.Join(results, ",")+`],"success":true}`)
}

// outboxReply is GET /api/outbox as a client decodes it.
type outboxReply struct {
	Outbox []struct {
		CommandID string          `json:"command_id"`
		Kind      string          `json:"kind"`
		Command   json.RawMessage `json:"command"`
	} `json:"outbox"`
	NextAfterID int64 `json:"next_after_id"`
}

// TestRelayUnderFaults: commands accepted by a relay reach an upstream
// that fails, rate-limits, resets connections and refuses the key for a
// while: none is lost, the SDK's resends are absorbed by the relay, and the
// upstream sees a command twice only when the answer to a request carrying
// it was cut.
func TestRelayUnderFaults(t *testing.T) {
	up := &upstream{t: t, got: map[string]int{}, down: true}
	us := httptest.NewServer(up)
	defer us.Close()
	path := filepath.Join(t.TempDir(), "relay.db")
	cfg := Config{DBPath: path, Projects: []string{"p"}, Keys: []string{"k"}, Forward: us.URL + "/",
		ForwardKey: "kid:s3cret", relayBackoff: 5 * time.Millisecond, Logger: log.New(testWriter{t}, "", 0)}
	h := newHarness(t, cfg)

	// The SDK side: 40 batches of 10 commands from 4 clients, each batch
	// sent twice (a retry after a lost answer, a resend at page close).
	const batches, per = 40, 10
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := c; b < batches; b += 4 {
				var cmds []string
				for i := range per {
					cmds = append(cmds, ev(fmt.Sprintf("b%02d-%d", b, i), "c", "relayed"))
				}
				for range 2 {
					r, err := h.send("POST", "/track/v2/projects/p/batch", batchBody(cmds...), map[string]string{"Authorization": "Token k"})
					if err != nil || r.status != 200 {
						t.Errorf("batch %d: %v %d %s", b, err, r.status, r.body)
					}
				}
			}
		}()
	}
	wg.Wait()

	// Everything is in the outbox (the upstream is down), visible to reads.
	box := decode[outboxReply](t, h.must("GET", "/api/outbox?limit=1000", "", nil))
	if len(box.Outbox) != batches*per || box.Outbox[0].Kind != "event" || !json.Valid(box.Outbox[0].Command) {
		t.Fatalf("outbox: %d commands, first %+v", len(box.Outbox), box.Outbox[0])
	}
	if st := h.stats(); st.Outbox != batches*per || st.DuplicatesReceived != batches*per || st.Events != 0 {
		t.Fatalf("stats before forwarding: %+v", st)
	}

	// A restart keeps the outbox. Then the upstream comes back, with faults.
	h.stop()
	rng := rand.New(rand.NewPCG(15, 15))
	plan := []fault{unauthorized, rateLimit, ok, rateLimit}
	for range 30 {
		plan = append(plan, []fault{ok, ok, fail500, resetBefore, resetAfter}[rng.IntN(5)])
	}
	up.mu.Lock()
	up.down, up.plan = false, plan
	up.mu.Unlock()
	h = newHarness(t, cfg)

	deadline := time.Now().Add(60 * time.Second)
	for {
		st := h.stats()
		if st.Outbox == 0 && st.Forwarded == batches*per {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not forwarded within 60 s: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}

	up.mu.Lock()
	defer up.mu.Unlock()
	lost, dups := 0, 0
	for b := range batches {
		for i := range per {
			n := up.got[fmt.Sprintf("b%02d-%d", b, i)]
			if n == 0 {
				lost++
			}
			dups += max(n-1, 0)
		}
	}
	counts := map[fault]int{}
	for i, s := range up.log {
		counts[s.fault]++
		if s.auth != basicAuth("kid", "s3cret") || s.path != "/track/v2/projects/p/batch" {
			t.Fatalf("request %d: %s with %q", i, s.path, s.auth)
		}
		if s.fault == rateLimit {
			// Requests already in flight beside it (up to the flusher's
			// MaxInFlight - 1) may arrive just after it; none sent once
			// its answer was in may come before Retry-After has passed.
			beside := 0
			for j, n := range up.log[i+1:] {
				if n.at.Sub(s.done) >= time.Second {
					break
				}
				if beside++; beside > flush.DefaultMaxInFlight-1 || n.at.Sub(s.done) > 100*time.Millisecond {
					t.Errorf("request %d came %v after a 429 with Retry-After: 1 was answered", i+1+j, n.at.Sub(s.done))
				}
			}
		}
	}
	t.Logf("upstream: %d requests (%d ok, %d 5xx, %d 429, %d 401, %d reset before reading, %d answers cut); "+
		"%d commands accepted by the relay from %d sent; lost %d; duplicates at the upstream %d, commands in cut answers %d",
		len(up.log), counts[ok], counts[fail500], counts[rateLimit], counts[unauthorized], counts[resetBefore], counts[resetAfter],
		batches*per, 2*batches*per, lost, dups, up.cut)
	if lost != 0 {
		t.Errorf("lost %d commands", lost)
	}
	if dups != up.cut {
		t.Errorf("the upstream got %d duplicates, but only %d commands were in requests whose answer was cut", dups, up.cut)
	}
	if counts[resetAfter] == 0 || counts[resetBefore] == 0 || counts[fail500] == 0 {
		t.Errorf("the plan did not exercise every fault: %v", counts)
	}
}

// testWriter sends a logger's lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b))
	return len(b), nil
}

// TestRelayGivesUpWhatUpstreamRefuses: a command the upstream refuses is
// retried with the SDK's backoff and dropped after flush.DefaultMaxRetries
// refusals, counted and logged; the commands beside it are delivered.
// Commands without an id get one, and an event without a timestamp is
// forwarded with the time the relay received it.
func TestRelayGivesUpWhatUpstreamRefuses(t *testing.T) {
	up := &upstream{t: t, got: map[string]int{}, refuse: map[string]bool{"bad": true}}
	us := httptest.NewServer(up)
	defer us.Close()
	now := time.Unix(1764320000, 0)
	h := newHarness(t, Config{Projects: []string{"p"}, Forward: us.URL, ForwardKey: "kid:s3cret",
		relayBackoff: time.Millisecond, Now: func() time.Time { return now }})
	noID := `{"name":"customers/events","data":{"customer_ids":{"cookie":"c"},"event_type":"no-id"}}`
	wantStatus(t, h.batch("p", ev("good", "c", "x"), ev("bad", "c", "x"), noID), 200)
	wantStatus(t, h.must("POST", "/track/v2/projects/p/customers", `{"customer_ids":{"cookie":"c"},"properties":{"a":1}}`, nil), 200)
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := h.stats()
		if st.Outbox == 0 && st.ForwardDropped == 1 && st.Forwarded == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %+v, want 3 forwarded and 1 dropped", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if up.got["good"] != 1 || len(up.got) != 3 {
		t.Errorf("upstream got %v", up.got)
	}
	for id := range up.got {
		if id == "" {
			t.Error("a command was forwarded without a command_id")
		}
	}
	if up.noIDTimestamp != 1764320000 {
		t.Errorf("event without a timestamp forwarded with %v, want the time it was received", up.noIDTimestamp)
	}
}
