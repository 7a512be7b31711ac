package collector

import (
	"fmt"
	"sync"
	"testing"
)

func TestDuplicateCommandIDs(t *testing.T) {
	h := newHarness(t, Config{})
	// Same request: the second e1 is a duplicate, u1 dedupes across kinds'
	// ledger too, and commands without an id are always stored.
	r := h.batch("p", ev("e1", "c", "a"), ev("e1", "c", "a"), cu("u1", "c"), ev("", "c", "noid"), ev("", "c", "noid"))
	br := decode[batchResult](t, r)
	for i, res := range br.Results {
		if !res.Success {
			t.Errorf("result %d: got %+v, want success", i, res)
		}
	}
	// Across requests, and per project: p2 may reuse e1.
	wantStatus(t, h.batch("p", ev("e1", "c", "a"), cu("u1", "c"), ev("e2", "c", "b")), 200)
	wantStatus(t, h.batch("p2", ev("e1", "c", "a")), 200)

	tests := []struct {
		query string
		want  int
	}{
		{"project=p&event_type=a", 1},
		{"project=p&event_type=noid", 2},
		{"project=p&event_type=b", 1},
		{"project=p2", 1},
	}
	for _, tt := range tests {
		if got := len(h.events(tt.query)); got != tt.want {
			t.Errorf("events?%s: got %d, want %d", tt.query, got, tt.want)
		}
	}
	if got := len(h.customers("")); got != 1 {
		t.Errorf("customers: got %d, want 1", got)
	}
	st := h.stats()
	if st.CommandsReceived != 9 || st.DuplicatesReceived != 3 {
		t.Errorf("stats: got %+v, want 9 commands, 3 duplicates", st)
	}
}

func TestDuplicatesUnderConcurrency(t *testing.T) {
	h := newHarness(t, Config{})
	const requests, perRequest = 20, 10
	id := func(i, j int) string { return fmt.Sprintf("id-%d", (i*3+j)%25) } // heavily overlapping
	all := map[string]bool{}
	for i := range requests {
		for j := range perRequest {
			all[id(i, j)] = true
		}
	}
	distinct := len(all)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cmds []string
			for j := range perRequest {
				cmds = append(cmds, ev(id(i, j), "c", "x"))
			}
			r, err := h.send("POST", "/track/v2/projects/p/batch", batchBody(cmds...), nil)
			if err != nil || r.status != 200 {
				t.Errorf("request %d: %v %d %s", i, err, r.status, r.body)
			}
		}()
	}
	wg.Wait()
	events := h.events("")
	seen := map[string]bool{}
	for _, e := range events {
		if seen[*e.CommandID] {
			t.Errorf("command %s stored twice", *e.CommandID)
		}
		seen[*e.CommandID] = true
	}
	if len(events) != distinct {
		t.Errorf("stored: got %d, want %d", len(events), distinct)
	}
	st := h.stats()
	if st.CommandsReceived != requests*perRequest || st.DuplicatesReceived != int64(requests*perRequest-distinct) {
		t.Errorf("stats: got %+v, want %d commands, %d duplicates", st, requests*perRequest, requests*perRequest-distinct)
	}
	if st.RequestsByStatus["200"] != requests {
		t.Errorf("requests_by_status: got %v", st.RequestsByStatus)
	}
}

// TestDedupeWindowPerProject: each configured project remembers its own
// ids, so a flood of one project's commands does not push another's
// out: a resend to the quiet project is still a duplicate.
func TestDedupeWindowPerProject(t *testing.T) {
	h := newHarness(t, Config{Projects: []string{"quiet", "busy"}, DedupeIDs: 4})
	wantStatus(t, h.batch("quiet", ev("q1", "c", "x")), 200)
	for i := range 20 {
		wantStatus(t, h.batch("busy", ev(fmt.Sprintf("b%d", i), "c", "x")), 200)
	}
	wantStatus(t, h.batch("quiet", ev("q1", "c", "x")), 200)
	if got := len(h.events("project=quiet")); got != 1 {
		t.Errorf("quiet project: %d events stored, want 1 (the resend is a duplicate)", got)
	}
	if st := h.stats(); st.DuplicatesReceived != 1 {
		t.Errorf("duplicates: got %d, want 1", st.DuplicatesReceived)
	}
}
