package tracker

import (
	"context"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
)

func TestParseBatch(t *testing.T) {
	batch := "1\x1ftrackEvent\x1f1764320000123.5\x1f{\"name\":\"a\\n\\u001f\"}\n" +
		"2\x1fgetCustomerCookie\x1f1764320000124\x1f\n" +
		"garbage\n" +
		"3\x1fflushData\x1f1764320000125\x1f"
	calls, bad := ParseBatch([]byte(batch))
	if bad != 1 || len(calls) != 3 {
		t.Fatalf("got %d calls, %d bad; want 3 and 1", len(calls), bad)
	}
	if c := calls[0]; c.ID != 1 || c.Method != "trackEvent" || c.Call.Time != 1764320000123.5 || string(c.Call.Args) != `{"name":"a\n\u001f"}` {
		t.Errorf("call 1: %+v", c)
	}
	if c := calls[1]; c.ID != 2 || len(c.Call.Args) != 0 {
		t.Errorf("call 2: %+v", c)
	}
	if calls[2].ID != 3 || calls[2].Method != "flushData" {
		t.Errorf("call 3: %+v", calls[2])
	}
}

// A call nested too deeply fails alone, with a named error; the batch
// around it is read and its other calls are stored.
func TestDeepCallFailsAlone(t *testing.T) {
	deep := strings.Repeat(`{"d":`, jsonx.MaxDepth+5) + "1" + strings.Repeat("}", jsonx.MaxDepth+5)
	batch := "1\x1ftrackEvent\x1f1764320000123\x1f{\"name\":\"deep\",\"properties\":" + deep + "}\n" +
		"2\x1ftrackEvent\x1f1764320000123\x1f{\"name\":\"innocent\"}"
	env, bad := ParseBatch([]byte(batch))
	if bad != 0 || len(env) != 2 {
		t.Fatalf("got %d calls, %d bad", len(env), bad)
	}
	tr, _ := open(t, queue.NewMemory(), `{"projectToken":"p"}`)
	res, stored := tr.Apply(context.Background(), []Call{env[0].Call, env[1].Call})
	if ie, ok := res[0].Err.(*InputError); !ok || ie.Class != RangeError {
		t.Errorf("deep call: got %v, want a RangeError", res[0].Err)
	}
	if res[1].Err != nil || len(stored) != 1 {
		t.Errorf("innocent call: %v, %d stored", res[1].Err, len(stored))
	}
}
