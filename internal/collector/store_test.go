package collector

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/exponea-wasm/tracker/internal/wire"
)

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keep.db")
	h := newHarness(t, Config{DBPath: path})
	wantStatus(t, h.batch("p", ev("e1", "c", "x"), cu("u1", "c")), 200)
	h.stop()

	h2 := newHarness(t, Config{DBPath: path})
	if n, c := len(h2.events("")), len(h2.customers("")); n != 1 || c != 1 {
		t.Fatalf("after reopen: %d events, %d customers; want 1, 1", n, c)
	}
	// The dedupe ledger and the counters survived too.
	wantStatus(t, h2.batch("p", ev("e1", "c", "x")), 200)
	st := h2.stats()
	if st.Events != 1 || st.DuplicatesReceived != 1 || st.CommandsReceived != 3 || st.RequestsByStatus["200"] != 2 {
		t.Errorf("stats after reopen: got %+v", st)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no db path", Config{}},
		{"negative body limit", Config{DBPath: filepath.Join(dir, "a.db"), MaxBody: -1}},
		{"static over the API", Config{DBPath: filepath.Join(dir, "b.db"), Static: []StaticMount{{"/api/", dir}}}},
		{"static dir missing", Config{DBPath: filepath.Join(dir, "c.db"), Static: []StaticMount{{"/x/", filepath.Join(dir, "nope")}}}},
		{"static prefix twice", Config{DBPath: filepath.Join(dir, "d.db"), Static: []StaticMount{{"/x", dir}, {"/x/", dir}}}},
		{"in-memory database", Config{DBPath: ":memory:"}},
		{"relay without projects", Config{DBPath: filepath.Join(dir, "e.db"), Forward: "https://u.example", ForwardKey: "a:b"}},
		{"relay to no URL", Config{DBPath: filepath.Join(dir, "f.db"), Projects: []string{"p"}, Forward: "u.example", ForwardKey: "a:b"}},
		{"relay without a key pair", Config{DBPath: filepath.Join(dir, "g.db"), Projects: []string{"p"}, Forward: "https://u.example", ForwardKey: "public"}},
		{"negative timeout", Config{DBPath: filepath.Join(dir, "h.db"), IdleTimeout: -1}},
		{"negative connection cap", Config{DBPath: filepath.Join(dir, "i.db"), MaxConns: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Addr = "127.0.0.1:0"
			if s, err := New(tt.cfg); err == nil {
				s.Shutdown(context.Background())
				t.Fatal("got nil error")
			} else if got := err.Error(); len(got) < 11 || got[:11] != "collector: " {
				t.Errorf("error %q lacks the collector: prefix", got)
			}
		})
	}
}

// FuzzParseCommand checks that validation never panics and that whatever
// it accepts is stored as valid JSON objects.
func FuzzParseCommand(f *testing.F) {
	f.Add(ev("e1", "c", "x"))
	f.Add(cu("u1", "c"))
	f.Add(`{"name":"customers/events","data":{"customer_ids":{"a":"b"},"event_type":"x","timestamp":1e400}}`)
	f.Add(`{"name":"system/time"}`)
	f.Fuzz(func(t *testing.T, s string) {
		cmds, errs, err := wire.ParseBatch([]byte(`{"commands":[` + s + `]}`))
		if err != nil || len(cmds) != 1 || len(errs[0]) > 0 || cmds[0].Name == wire.CommandTime {
			return
		}
		rec := toRecord(cmds[0], 1)
		for _, v := range []string{rec.customerIDs, rec.properties} {
			var m map[string]any
			if err := json.Unmarshal([]byte(v), &m); err != nil || m == nil {
				t.Fatalf("accepted %q but stored %q", s, v)
			}
		}
		if rec.kind == wire.CommandEvent && (rec.eventType == "" || rec.timestamp < 0) {
			t.Fatalf("accepted invalid event %q", s)
		}
	})
}
