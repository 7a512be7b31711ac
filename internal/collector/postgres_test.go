package collector

import (
	"testing"
)

// TestCollectorsShareOnePostgres: two collectors on one PostgreSQL
// database: a batch sent to one and resent to the other (as the SDK
// resends after a lost answer, through a load balancer) is stored once,
// and both read and count it; /healthz answers on both.
func TestCollectorsShareOnePostgres(t *testing.T) {
	url := freshPostgres(t)
	a := newHarness(t, Config{DBPath: url, Keys: []string{"k"}})
	b := newHarness(t, Config{DBPath: url, Keys: []string{"k"}})
	auth := map[string]string{"Authorization": "Token k"}
	body := batchBody(ev("e1", "c", "x"), cu("u1", "c"), ev("", "c", "noid"))
	wantStatus(t, a.must("POST", "/track/v2/projects/p/batch", body, auth), 200)
	wantStatus(t, b.must("POST", "/track/v2/projects/p/batch", body, auth), 200)
	for _, h := range []*harness{a, b} {
		if n, c := len(h.events("")), len(h.customers("")); n != 3 || c != 1 {
			t.Errorf("read: %d events, %d customers; want 3 (e1 once, noid twice), 1", n, c)
		}
		wantStatus(t, h.must("GET", "/healthz", "", nil), 200)
	}
	b.stop() // writes b's counts
	if st := a.stats(); st.Events != 3 || st.DuplicatesReceived != 2 || st.CommandsReceived != 6 || st.RequestsByStatus["200"] != 2 {
		t.Errorf("stats: %+v", st)
	}
}
