package bench

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // unsorted on purpose
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p50 of 100", ms(hundred...), 50, 50 * time.Millisecond},
		{"p100", ms(3, 9, 1), 100, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.in, tt.p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPrintLevels(t *testing.T) {
	var b strings.Builder
	PrintLevels(&b, []Level{{Concurrency: 16, Elapsed: 2 * time.Second, Batches: 2000, P50: 5 * time.Millisecond,
		P99: 40 * time.Millisecond, CPU: time.Second}})
	want := "concurrency  batches/s   events/s   p50 ms   p99 ms  batches  errors  cpu ms/batch\n" +
		"         16       1000      50000      5.0     40.0     2000       0          0.50\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestClientBatch(t *testing.T) {
	c := newClient(1)
	ids, body := c.batch()
	if len(ids) != EventsPerBatch || ids[0] == ids[1] || len(ids[0]) != 36 || ids[0][14] != '4' {
		t.Fatalf("ids: %q", ids[:2])
	}
	if !strings.HasPrefix(string(body), `{"commands":[{"name":"customers/events","command_id":"`+ids[0]) ||
		strings.Count(string(body), `"customers/events"`) != EventsPerBatch {
		t.Errorf("body: %.300s", body)
	}
}
