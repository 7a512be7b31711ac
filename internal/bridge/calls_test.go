package bridge

import (
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

func TestParseCalls(t *testing.T) {
	batch := "1\x1ftrackEvent\x1f1764320000123.5\x1fk-1\x1f0001-e\x1f{\"name\":\"a\\n\\u001f\"}\n" +
		"2\x1fgetCustomerCookie\x1f1764320000124\x1f\x1f\x1f\n" +
		"garbage\n" +
		"4\x1ftrackEvent\x1f1\x1f{\"name\":\"too few fields\"}\n" +
		"x\x1fflushData\x1f1\x1f\x1f\x1f\n" +
		"3\x1fflushData\x1f1764320000125\x1f\x1f\x1f"
	calls, bad := ParseCalls([]byte(batch))
	if bad != 3 || len(calls) != 3 {
		t.Fatalf("got %d calls, %d bad; want 3 and 3", len(calls), bad)
	}
	if c := calls[0]; c.ID != 1 || c.Method != "trackEvent" || c.TimeMs != 1764320000123.5 || c.Key != "k-1" || c.Entry != "0001-e" || string(c.Args) != `{"name":"a\n\u001f"}` {
		t.Errorf("call 1: %+v", c)
	}
	if c := calls[1]; c.ID != 2 || len(c.Args) != 0 || c.Key != "" || c.Entry != "" {
		t.Errorf("call 2: %+v", c)
	}
	if calls[2].ID != 3 || calls[2].Method != "flushData" {
		t.Errorf("call 3: %+v", calls[2])
	}
}

// A call's argument is never parsed to split a batch: one nested too deeply
// fails alone when applied, with a named error, and one nested as deeply as
// the tracker accepts gets through; the calls around them are stored.
// (The batch used to be one JSON array, two levels deeper than a call's
// argument: such a call made the whole batch unreadable, so no call in it
// was answered and the calls batched with it were lost.)
func TestDeepCallsFailAlone(t *testing.T) {
	nest := func(n int) string { return strings.Repeat(`{"d":`, n) + "1" + strings.Repeat("}", n) }
	line := func(id, args string) string { return id + "\x1ftrackEvent\x1f1764320000123\x1f\x1f\x1f" + args }
	batch := strings.Join([]string{
		line("1", `{"name":"too-deep","properties":`+nest(jsonx.MaxDepth+5)+`}`),
		line("2", `{"name":"deepest","properties":{"d":`+nest(jsonx.MaxDepth-3)+`}}`),
		line("3", `{"name":"innocent"}`),
	}, "\n")
	calls, bad := ParseCalls([]byte(batch))
	if bad != 0 || len(calls) != 3 {
		t.Fatalf("got %d calls, %d bad", len(calls), bad)
	}
	cfg, err := tracker.ParseConfig([]byte(`{"projectToken":"p","automaticSessionTracking":false}`))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	tr, err := tracker.Open(ctxlite.Background(), queue.NewMemory(), cfg, tracker.Device{}, func() string { n++; return "id-" + string(rune('a'+n)) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Install(ctxlite.Background(), 1764320000000); err != nil {
		t.Fatal(err)
	}
	res, stored := tr.Apply(ctxlite.Background(), calls)
	if ie, ok := res[0].Err.(*tracker.InputError); !ok || ie.Class != tracker.RangeError {
		t.Errorf("too deep: got %v, want a RangeError", res[0].Err)
	}
	if res[1].Err != nil || res[2].Err != nil || len(stored) != 2 {
		t.Errorf("the others: %v, %v, %d stored; want both stored", res[1].Err, res[2].Err, len(stored))
	}
}
