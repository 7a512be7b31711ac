package collector

import (
	"fmt"
	"strings"
	"testing"
)

// page is one answer of the read API, as a client decodes it.
type pageReply struct {
	Events       []Event `json:"events"`
	NextAfterID  int64   `json:"next_after_id"`
	NextBeforeID int64   `json:"next_before_id"`
}

// TestReadPaging: an answer stops at its byte cap or its limit and says
// where the next page starts; following the cursor reads every row once,
// in either order.
func TestReadPaging(t *testing.T) {
	h := newHarness(t, Config{MaxReadBytes: 4000})
	pad := strings.Repeat("p", 900) // about 1 KB a row: 4 rows an answer
	for i := range 10 {
		cmd := fmt.Sprintf(`{"name":"customers/events","command_id":"e%d","data":{"customer_ids":{"cookie":"c"},"event_type":"t","properties":{"pad":%q,"n":%d}}}`, i, pad, i)
		wantStatus(t, h.batch("p", cmd), 200)
	}
	read := func(q string) pageReply {
		r := h.must("GET", "/api/events?"+q, "", nil)
		wantStatus(t, r, 200)
		if len(r.body) > 4000+1200 {
			t.Fatalf("%s: answer of %d bytes, over the cap and one row", q, len(r.body))
		}
		return decode[pageReply](t, r)
	}
	tests := []struct {
		name  string
		first string
		next  func(p pageReply) string
		want  []int64
	}{
		{"ascending by bytes", "", func(p pageReply) string { return fmt.Sprintf("after_id=%d", p.NextAfterID) },
			[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"ascending by limit", "limit=3", func(p pageReply) string { return fmt.Sprintf("limit=3&after_id=%d", p.NextAfterID) },
			[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"descending", "order=desc", func(p pageReply) string { return fmt.Sprintf("order=desc&before_id=%d", p.NextBeforeID) },
			[]int64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			p := read(tt.first)
			for pages := 1; ; pages++ {
				for _, e := range p.Events {
					got = append(got, e.ID)
				}
				if p.NextAfterID == 0 && p.NextBeforeID == 0 {
					break
				}
				if pages > 12 {
					t.Fatal("no end")
				}
				p = read(tt.next(p))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// A single row over the cap is still returned, alone.
	h2 := newHarness(t, Config{MaxReadBytes: 100})
	wantStatus(t, h2.batch("p", ev("a", "c", "x"), ev("b", "c", "x")), 200)
	if p := decode[pageReply](t, h2.must("GET", "/api/events", "", nil)); len(p.Events) != 1 || p.NextAfterID != 1 {
		t.Errorf("tiny cap: got %+v", p)
	}
	wantStatus(t, h.must("GET", "/api/events?before_id=-1", "", nil), 400)
}
