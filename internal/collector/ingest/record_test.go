package ingest

import (
	"encoding/json"
	"testing"

	"github.com/exponea-wasm/tracker/internal/wire"
)

func TestCompact(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{`{"t":"Product 1234"}`, `{"t":"Product 1234"}`},
		{"{ \"a\" :\n[1, 2],\t\"b\\\" c\" : \"x y\" }", `{"a":[1,2],"b\" c":"x y"}`},
		{`{"q":"\\"} `, `{"q":"\\"}`},
	}
	for _, tt := range tests {
		if got := string(compact([]byte(tt.in))); got != tt.want {
			t.Errorf("compact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseCommand checks that validation never panics and that whatever
// it accepts is stored as valid JSON objects.
func FuzzParseCommand(f *testing.F) {
	f.Add(`{"name":"customers/events","command_id":"e1","data":{"customer_ids":{"cookie":"c"},"event_type":"x","timestamp":1764320000.5,"properties":{"n":1}}}`)
	f.Add(`{"name":"customers","command_id":"u1","data":{"customer_ids":{"cookie":"c","registered":"a@b.com"},"properties":{"paying":true}}}`)
	f.Add(`{"name":"customers/events","data":{"customer_ids":{"a":"b"},"event_type":"x","timestamp":1e400}}`)
	f.Add(`{"name":"system/time"}`)
	f.Fuzz(func(t *testing.T, s string) {
		cmds, errs, err := wire.ParseBatch([]byte(`{"commands":[` + s + `]}`))
		if err != nil || len(cmds) != 1 || len(errs[0]) > 0 || cmds[0].Name == wire.CommandTime {
			return
		}
		rec := toRecord(cmds[0], 1)
		for _, v := range []string{rec.CustomerIDs, rec.Properties} {
			var m map[string]any
			if err := json.Unmarshal([]byte(v), &m); err != nil || m == nil {
				t.Fatalf("accepted %q but stored %q", s, v)
			}
		}
		if rec.Kind == wire.CommandEvent && (rec.EventType == "" || rec.Timestamp < 0) {
			t.Fatalf("accepted invalid event %q", s)
		}
	})
}
