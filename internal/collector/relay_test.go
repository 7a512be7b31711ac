package collector

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/relay/relaytest"
)

// TestRelayGivesUpWhatUpstreamRefuses: a command the upstream refuses is
// retried with the SDK's backoff and dropped after flush.DefaultMaxRetries
// refusals, counted and logged; the commands beside it are delivered.
// Commands without an id get one, and an event without a timestamp is
// forwarded with the time the relay received it.
func TestRelayGivesUpWhatUpstreamRefuses(t *testing.T) {
	up := relaytest.New(t)
	up.Refuse["bad"] = true
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
	up.Mu.Lock()
	defer up.Mu.Unlock()
	if up.Got["good"] != 1 || len(up.Got) != 3 {
		t.Errorf("upstream got %v", up.Got)
	}
	for id := range up.Got {
		if id == "" {
			t.Error("a command was forwarded without a command_id")
		}
	}
	if up.NoIDTimestamp != 1764320000 {
		t.Errorf("event without a timestamp forwarded with %v, want the time it was received", up.NoIDTimestamp)
	}
}
