package flush

import (
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/queue"
)

// backlog returns n records of about size bytes each, in Seq order.
func backlog(n, size int) []queue.Record {
	recs := make([]queue.Record, n)
	for i := range recs {
		r := rec(i)
		r.Seq = int64(i + 1)
		r.Body = strings.Replace(r.Body, `"e"`, `"`+strings.Repeat("e", max(size-len(r.Body)+1, 1))+`"`, 1)
		recs[i] = r
	}
	return recs
}

func TestClosePlan(t *testing.T) {
	tests := []struct {
		name                     string
		recs                     []queue.Record
		inFlight, budget, maxCmd int
		wantBodies, wantSent     int // -1: don't care
	}{
		{"200 KB backlog, 10 KiB in flight", backlog(200, 1000), 10 << 10, KeepaliveBudget, 50, -1, -1},
		{"small records chunked by count", backlog(120, 100), 0, KeepaliveBudget, 50, 3, 120},
		{"default command limit", backlog(120, 100), 0, KeepaliveBudget, 0, 3, 120},
		{"budget already used up", backlog(5, 100), KeepaliveBudget, KeepaliveBudget, 50, 0, 0},
		{"over budget in flight", backlog(5, 100), KeepaliveBudget + 1, KeepaliveBudget, 50, 0, 0},
		{"first record too big keeps order", append(backlog(1, 70_000), backlog(3, 100)...), 0, KeepaliveBudget, 50, 0, 0},
		{"nothing queued", nil, 0, KeepaliveBudget, 50, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, rest := ClosePlan(tt.recs, tt.inFlight, tt.budget, tt.maxCmd)
			bodies, sent := unzip(reqs)
			total := 0
			var carried []string
			for i, b := range bodies {
				total += len(b)
				got := ids(b)
				if want := Body(reqs[i].Records); string(want) != string(b) {
					t.Errorf("request %d: body does not match its records", i)
				}
				if limit := max(tt.maxCmd, DefaultMaxCommands); len(got) > limit || len(got) == 0 {
					t.Errorf("body of %v commands, want 1..%v", len(got), limit)
				}
				carried = append(carried, got...)
			}
			if avail := tt.budget - tt.inFlight; total > max(avail, 0) {
				t.Errorf("got %v bytes of bodies, want at most %v", total, avail)
			}
			if len(sent)+len(rest) != len(tt.recs) {
				t.Fatalf("got %v sent + %v rest, want %v", len(sent), len(rest), len(tt.recs))
			}
			for i, r := range append(append([]queue.Record(nil), sent...), rest...) {
				if r.Seq != tt.recs[i].Seq {
					t.Fatalf("record %d: got seq %v, want %v (order kept)", i, r.Seq, tt.recs[i].Seq)
				}
			}
			if len(carried) != len(sent) {
				t.Fatalf("bodies carry %v commands, sent lists %v", len(carried), len(sent))
			}
			for i, id := range carried {
				if id != sent[i].ID {
					t.Errorf("command %d: got %v, want %v", i, id, sent[i].ID)
				}
			}
			if tt.wantBodies >= 0 && len(bodies) != tt.wantBodies {
				t.Errorf("got %v bodies, want %v", len(bodies), tt.wantBodies)
			}
			if tt.wantSent >= 0 && len(sent) != tt.wantSent {
				t.Errorf("got %v sent, want %v", len(sent), tt.wantSent)
			}
		})
	}
}

func TestClosePlanFillsTheBudget(t *testing.T) {
	recs := backlog(200, 1000)
	reqs, rest := ClosePlan(recs, 10<<10, KeepaliveBudget, 50)
	bodies, sent := unzip(reqs)
	total := 0
	for _, b := range bodies {
		total += len(b)
	}
	if len(rest) == 0 {
		t.Fatal("got no rest, want the records over 54 KiB left for the next visit")
	}
	if avail := KeepaliveBudget - 10<<10; total > avail || total+len(rest[0].Body)+len(`{"commands":[]}`) <= avail {
		t.Errorf("got %v bytes in %v bodies (%v records); want the most that fits in %v", total, len(bodies), len(sent), avail)
	}
}

// unzip returns the bodies of reqs and all the records they carry.
func unzip(reqs []Request) (bodies [][]byte, sent []queue.Record) {
	for _, r := range reqs {
		bodies = append(bodies, r.Body)
		sent = append(sent, r.Records...)
	}
	return bodies, sent
}
