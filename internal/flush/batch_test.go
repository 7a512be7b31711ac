package flush

import (
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

func sized(n, size int) []queue.Record {
	recs := make([]queue.Record, n)
	for i := range recs {
		recs[i] = queue.Record{Seq: int64(i + 1), Body: `"` + strings.Repeat("x", size-2) + `"`}
	}
	return recs
}

func TestBatch(t *testing.T) {
	overhead := len(`{"commands":[]}`)
	tests := []struct {
		name        string
		recs        []queue.Record
		maxCommands int
		maxBytes    int
		want        int
	}{
		{"empty", nil, 50, 800_000, 0},
		{"fewer than the limits", sized(3, 10), 50, 800_000, 3},
		{"count limit", sized(120, 10), 50, 800_000, 50},
		{"byte limit", sized(10, 100), 50, overhead + 3*100 + 2 + 1, 3},
		{"body must be under the limit, not equal", sized(10, 100), 50, overhead + 3*100 + 2, 2},
		{"the API's byte limit", sized(50, 100_000), wire.MaxCommands, wire.MaxBodyBytes, 7},
		{"oversize single record is returned alone", sized(3, 1000), 50, 500, 1},
		{"oversize record behind others stops the batch", append(sized(2, 10), sized(1, 1000)...), 50, 500, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Batch(tt.recs, tt.maxCommands, tt.maxBytes)
			if len(got) != tt.want {
				t.Fatalf("got %v records, want %v", len(got), tt.want)
			}
			if cap(got) != len(got) {
				t.Errorf("got cap %v, want %v: appending would clobber the input", cap(got), len(got))
			}
			if tt.want > 1 {
				if n := len(Body(got)); n >= tt.maxBytes {
					t.Errorf("got body of %v bytes, want under %v", n, tt.maxBytes)
				}
			}
		})
	}
}

func TestBody(t *testing.T) {
	tests := []struct {
		name string
		recs []queue.Record
		want string
	}{
		{"none", nil, `{"commands":[]}`},
		{"one", []queue.Record{{Body: cmd("a")}}, `{"commands":[{"name":"customers/events","command_id":"a","data":{"event_type":"e"}}]}`},
		{"two in order", []queue.Record{
			{Body: `{"name":"customers/events","command_id":"a","data":{"customer_ids":{"cookie":"c"},"event_type":"purchase","timestamp":1764320000.123,"properties":{"price":123.45}}}`},
			{Body: `{"name":"customers","command_id":"b","data":{"customer_ids":{"cookie":"c","registered":"a@b.com"},"properties":{"payingCustomer":true}}}`},
		}, `{"commands":[` +
			`{"name":"customers/events","command_id":"a","data":{"customer_ids":{"cookie":"c"},"event_type":"purchase","timestamp":1764320000.123,"properties":{"price":123.45}}},` +
			`{"name":"customers","command_id":"b","data":{"customer_ids":{"cookie":"c","registered":"a@b.com"},"properties":{"payingCustomer":true}}}` +
			`]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Body(tt.recs)
			if string(got) != tt.want {
				t.Errorf("got %v, want %v", string(got), tt.want)
			}
			if n := BodySize(tt.recs); n != len(got) {
				t.Errorf("BodySize: got %v, want %v", n, len(got))
			}
		})
	}
}
