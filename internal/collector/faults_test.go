package collector

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/faults"
)

// faultsOK is the header the fault-injection API needs.
var faultsOK = map[string]string{faults.Header: "1"}

// addFault posts a rule and fails the test unless it is accepted.
func (h *harness) addFault(rule string) {
	h.t.Helper()
	wantStatus(h.t, h.must("POST", "/api/faults", rule, faultsOK), 200)
}

func TestFaultsOffByDefault(t *testing.T) {
	h := newHarness(t, Config{})
	for _, m := range []string{"GET", "POST", "DELETE"} {
		wantStatus(t, h.must(m, "/api/faults", `{"status":503}`, nil), 404)
	}
	wantStatus(t, h.must("POST", "/api/reset", "", faultsOK), 404)
}

func TestFaultStatusRetryAfterAndTimes(t *testing.T) {
	h := newHarness(t, Config{Faults: true})
	h.addFault(`{"status":503,"retry_after":"2","times":2}`)
	h.addFault(`{"status":429,"times":1,"body":"{\"custom\":true}"}`)
	want := []struct {
		status     int
		retryAfter string
		body       string
	}{
		{503, "2", `"success":false`},
		{503, "2", `"success":false`},
		{429, "", `{"custom":true}`},
		{200, "", `"results"`},
	}
	for i, w := range want {
		r := h.batch("p", ev("", "c", "x"))
		if r.status != w.status || r.header.Get("Retry-After") != w.retryAfter || !strings.Contains(string(r.body), w.body) {
			t.Errorf("request %d: got %d Retry-After=%q %s, want %d %q %s",
				i, r.status, r.header.Get("Retry-After"), r.body, w.status, w.retryAfter, w.body)
		}
	}
	if n := len(h.events("")); n != 1 {
		t.Errorf("stored events: got %d, want 1 (faulted requests store nothing)", n)
	}
	if got := decode[struct{ Faults []faults.Rule }](t, h.must("GET", "/api/faults", "", faultsOK)).Faults; len(got) != 0 {
		t.Errorf("rules left: got %+v, want none", got)
	}

	// times absent: until cleared.
	h.addFault(`{"status":500}`)
	for range 3 {
		wantStatus(t, h.batch("p", ev("", "c", "x")), 500)
	}
	wantStatus(t, h.must("DELETE", "/api/faults", "", faultsOK), 200)
	wantStatus(t, h.batch("p", ev("", "c", "x")), 200)
}

func TestFaultTimesUnderConcurrency(t *testing.T) {
	h := newHarness(t, Config{Faults: true})
	h.addFault(`{"status":503,"times":5}`)
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.send("POST", "/track/v2/projects/p/batch", batchBody(ev("", "c", "x")), nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			counts[r.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[503] != 5 || counts[200] != 15 {
		t.Errorf("statuses: got %v, want 5×503 and 15×200", counts)
	}
}

func TestFaultDropAndStoreThenDrop(t *testing.T) {
	tests := []struct {
		rule       string
		wantStored int
	}{
		{`{"drop":true,"times":1}`, 0},
		{`{"store_then_drop":true,"times":1}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			h := newHarness(t, Config{Faults: true})
			h.addFault(tt.rule)
			_, err := h.send("POST", "/track/v2/projects/p/batch", batchBody(ev("d1", "c", "x")), nil)
			if err == nil {
				t.Fatal("got a response, want a network error")
			}
			if n := len(h.events("")); n != tt.wantStored {
				t.Fatalf("stored events: got %d, want %d", n, tt.wantStored)
			}
			// The client retries the same command: stored once either way.
			r := h.batch("p", ev("d1", "c", "x"))
			if br := decode[batchResult](t, r); r.status != 200 || !br.Results[0].Success {
				t.Fatalf("retry: got %d %s", r.status, r.body)
			}
			st := h.stats()
			if st.Events != 1 || st.DuplicatesReceived != int64(tt.wantStored) || st.RequestsByStatus["dropped"] != 1 {
				t.Errorf("stats: got %+v", st)
			}
		})
	}
}

func TestFaultDelay(t *testing.T) {
	h := newHarness(t, Config{Faults: true})
	h.addFault(`{"delay_ms":200,"times":1}`)
	start := time.Now()
	wantStatus(t, h.batch("p", ev("", "c", "x")), 200)
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("delayed request took %v, want >= 200ms", d)
	}
	if got := decode[struct{ Faults []faults.Rule }](t, h.must("GET", "/api/faults", "", faultsOK)).Faults; len(got) != 0 {
		t.Errorf("delay rule not used up: %+v", got)
	}
}

func TestFaultPoison(t *testing.T) {
	t.Run("command", func(t *testing.T) {
		h := newHarness(t, Config{Faults: true})
		h.addFault(`{"poison_event_type":"poison","poison_mode":"command","times":1}`)
		for range 2 { // poison rules ignore times
			r := h.batch("p", ev("", "c", "ok"), ev("", "c", "poison"), ev("", "c", "ok"))
			wantStatus(t, r, 200)
			br := decode[batchResult](t, r)
			if !br.Results[0].Success || br.Results[1].Success || !br.Results[2].Success ||
				len(br.Results[1].Errors) != 1 || br.Results[1].Errors[0] != "poisoned" {
				t.Errorf("results: got %s", r.body)
			}
		}
		if n, p := len(h.events("event_type=ok")), len(h.events("event_type=poison")); n != 4 || p != 0 {
			t.Errorf("stored: %d ok, %d poison; want 4, 0", n, p)
		}
		r := h.must("POST", "/track/v2/projects/p/customers/events", `{"customer_ids":{"cookie":"c"},"event_type":"poison"}`, nil)
		wantStatus(t, r, 400)
	})
	t.Run("batch", func(t *testing.T) {
		h := newHarness(t, Config{Faults: true})
		h.addFault(`{"poison_event_type":"poison","poison_mode":"batch"}`)
		r := h.batch("p", ev("", "c", "ok"), ev("", "c", "poison"))
		wantStatus(t, r, 400)
		if got := strings.TrimSpace(string(r.body)); got != `{"success":false,"error":"poisoned command in batch"}` {
			t.Errorf("body: got %s", got)
		}
		if n := len(h.events("")); n != 0 {
			t.Errorf("stored: got %d, want 0", n)
		}
		wantStatus(t, h.batch("p", ev("", "c", "ok")), 200)
	})
}

func TestFaultRuleValidationAndReset(t *testing.T) {
	h := newHarness(t, Config{Faults: true})
	for _, bad := range []string{`{}`, `{"status":42}`, `{"times":-1,"status":503}`, `{"poison_mode":"x","poison_event_type":"a"}`, `{"stauts":503}`, `nope`} {
		wantStatus(t, h.must("POST", "/api/faults", bad, faultsOK), 400)
	}
	h.addFault(`{"status":503}`)
	wantStatus(t, h.batch("p", ev("", "c", "x")), 503)
	wantStatus(t, h.must("POST", "/api/reset", "", faultsOK), 200)
	wantStatus(t, h.batch("p", ev("", "c", "x")), 200)
	wantStatus(t, h.must("POST", "/api/reset", "", faultsOK), 200)
	if st := h.stats(); st.Events != 0 || st.Requests != 0 || st.CommandsReceived != 0 {
		t.Errorf("after reset: got %+v", st)
	}
}
