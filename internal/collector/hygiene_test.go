package collector

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/wire"
)

// TestHygiene: each bad command is refused on its own, with the API's
// error, and the good ones beside it are stored; what is stored reads back
// as strict JSON.
func TestHygiene(t *testing.T) {
	h := newHarness(t, Config{})
	big := `"` + strings.Repeat("v", wire.MaxValueBytes) + `"` // 2 bytes over
	cmds := []struct {
		cmd  string
		want []string // nil: stored
	}{
		{ev("ok-1", "c", "ok"), nil},
		{"{\"name\":\"customers/events\",\"command_id\":\"bad-utf8\",\"data\":{\"customer_ids\":{\"cookie\":\"c\"},\"event_type\":\"x\",\"properties\":{\"v\":\"a\xff\xfeb\"}}}", []string{wire.ErrTextUTF8}},
		{`{"name":"customers/events","command_id":"` + strings.Repeat("i", 100_000) + `","data":{"customer_ids":{"cookie":"c"},"event_type":"x"}}`, []string{wire.ErrTextCommandID}},
		{`{"name":"customers/events","command_id":"big","data":{"customer_ids":{"cookie":"c"},"event_type":"x","properties":{"v":` + big + `}}}`,
			[]string{"properties.v: is 16386 bytes encoded, over the 16 KB limit for a value"}},
		{`{"name":"customers/events","command_id":"ts","data":{"customer_ids":{"cookie":"c"},"event_type":"x","timestamp":1e300}}`, []string{wire.ErrTextTimestamp}},
		{ev("ok-2", "c", "ok"), nil},
	}
	var raw []string
	for _, c := range cmds {
		raw = append(raw, c.cmd)
	}
	r := h.batch("p", raw...)
	wantStatus(t, r, 200)
	br := decode[batchResult](t, r)
	for i, c := range cmds {
		if got := br.Results[i]; got.Success != (c.want == nil) || !reflect.DeepEqual(got.Errors, c.want) {
			t.Errorf("command %d: got %+v, want errors %q", i, got, c.want)
		}
	}
	body := h.must("GET", "/api/events", "", nil).body
	var strict struct{ Events []Event }
	if !json.Valid(body) || json.Unmarshal(body, &strict) != nil || len(strict.Events) != 2 {
		t.Fatalf("read back: %s", body)
	}
}
