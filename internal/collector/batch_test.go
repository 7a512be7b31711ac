package collector

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/wire"
)

func TestBatchStoresEventsAndCustomers(t *testing.T) {
	h := newHarness(t, Config{Now: func() time.Time { return time.Unix(1764320000, 250_000_000) }})
	r := h.batch("p1", ev("e1", "c1", "purchase"), cu("u1", "c1"), `{"name":"system/time"}`, ev("e2", "c2", "view"))
	wantStatus(t, r, 200)
	br := decode[batchResult](t, r)
	if !br.Success || len(br.Results) != 4 || br.StartTime != 1764320000.25 || br.EndTime != 1764320000.25 {
		t.Fatalf("got %s", r.body)
	}
	for i, res := range br.Results {
		if !res.Success {
			t.Errorf("result %d: got %+v, want success", i, res)
		}
	}
	if br.Results[2].Time != 1764320000.25 {
		t.Errorf("system/time: got %v, want 1764320000.25", br.Results[2].Time)
	}

	// The exact wire shape of the read API.
	var raw struct{ Events []map[string]any }
	if err := json.Unmarshal(h.must("GET", "/api/events", "", nil).body, &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": 1.0, "project": "p1", "command_id": "e1", "customer_ids": map[string]any{"cookie": "c1"},
		"event_type": "purchase", "timestamp": 1764320000.5, "properties": map[string]any{"n": 1.0},
		"received_at": 1764320000.25,
	}
	if len(raw.Events) != 2 || !reflect.DeepEqual(raw.Events[0], want) {
		t.Fatalf("events: got %v, want first %v", raw.Events, want)
	}

	tests := []struct {
		query string
		want  []string // event types, in order
	}{
		{"", []string{"purchase", "view"}},
		{"cookie=c2", []string{"view"}},
		{"event_type=purchase", []string{"purchase"}},
		{"project=other", nil},
		{"after_id=1", []string{"view"}},
		{"limit=1", []string{"purchase"}},
		{"order=desc&limit=1", []string{"view"}},
	}
	for _, tt := range tests {
		t.Run("events?"+tt.query, func(t *testing.T) {
			var got []string
			for _, e := range h.events(tt.query) {
				got = append(got, e.EventType)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	cs := h.customers("cookie=c1")
	if len(cs) != 1 || string(cs[0].CustomerIDs) != `{"cookie":"c1","registered":"a@b.com"}` ||
		string(cs[0].Properties) != `{"paying":true}` || *cs[0].CommandID != "u1" {
		t.Fatalf("customers: got %+v", cs)
	}
	if got := h.customers("cookie=nobody"); len(got) != 0 {
		t.Errorf("customers for unknown cookie: got %+v", got)
	}
}

func TestBatchValidationErrorsInOrder(t *testing.T) {
	h := newHarness(t, Config{})
	cmds := []struct {
		cmd  string
		want []string // nil: success
	}{
		{ev("ok1", "c", "a"), nil},
		{`{"name":"customers/events","data":{"customer_ids":{},"event_type":"","timestamp":-1}}`,
			[]string{wire.ErrTextCustomerIDs, wire.ErrTextEventType, wire.ErrTextTimestamp}},
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":5},"event_type":"x","properties":[1]}}`,
			[]string{wire.ErrTextCustomerIDs, wire.ErrTextProperties}},
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":""},"event_type":"x","timestamp":"1"}}`,
			[]string{wire.ErrTextCustomerIDs, wire.ErrTextTimestamp}},
		{`{"name":"customers","data":{"customer_ids":"c"}}`, []string{wire.ErrTextCustomerIDs}},
		{`{"name":"customers","data":[]}`, []string{wire.ErrTextData}},
		{`{"name":"nope"}`, []string{`name: unknown command "nope"`}},
		{`{"data":{}}`, []string{wire.ErrTextName}},
		{`[]`, []string{wire.ErrTextCommand}},
		{`{"name":"customers","command_id":7,"data":{"customer_ids":{"cookie":"c"}}}`, []string{wire.ErrTextCommandID}},
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":"c"},"event_type":"no-timestamp"}}`, nil},
	}
	var parts []string
	for _, c := range cmds {
		parts = append(parts, c.cmd)
	}
	r := h.batch("p", parts...)
	wantStatus(t, r, 200)
	br := decode[batchResult](t, r)
	if len(br.Results) != len(cmds) {
		t.Fatalf("got %d results, want %d", len(br.Results), len(cmds))
	}
	for i, c := range cmds {
		got := br.Results[i]
		if got.Success != (c.want == nil) || !reflect.DeepEqual(got.Errors, c.want) {
			t.Errorf("command %d: got %+v, want errors %q", i, got, c.want)
		}
	}
	if n := len(h.events("")); n != 2 {
		t.Errorf("stored events: got %d, want 2", n)
	}
	if st := h.stats(); st.CommandsReceived != int64(len(cmds)) {
		t.Errorf("commands_received: got %d, want %d", st.CommandsReceived, len(cmds))
	}
}

func TestBatchRefusedWhole(t *testing.T) {
	h := newHarness(t, Config{})
	many := make([]string, wire.MaxCommands+1)
	for i := range many {
		many[i] = ev("", "c", "x")
	}
	tests := []struct{ name, body string }{
		{"bad JSON", `{"commands":[`},
		{"trailing garbage", `{"commands":[]} x`},
		{"no commands", `{"cmds":[]}`},
		{"commands not an array", `{"commands":{}}`},
		{"not an object", `[1]`},
		{"too many commands", batchBody(many...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.must("POST", "/track/v2/projects/p/batch", tt.body, nil)
			wantStatus(t, r, 400)
			if br := decode[batchResult](t, r); br.Success || br.Error == "" {
				t.Errorf("body: got %s", r.body)
			}
		})
	}
	if n := len(h.events("")); n != 0 {
		t.Errorf("stored events: got %d, want 0", n)
	}
	wantStatus(t, h.batch("p", many[:wire.MaxCommands]...), 200)
}

func TestSingleEndpoints(t *testing.T) {
	h := newHarness(t, Config{Now: func() time.Time { return time.Unix(100, 0) }})
	tests := []struct {
		path, body string
		status     int
		want       string
	}{
		{"customers/events", `{"customer_ids":{"cookie":"c"},"event_type":"view"}`, 200, `{"success":true}`},
		{"customers/events", `{"customer_ids":{"cookie":"c"}}`, 400, `{"success":false,"errors":["event_type: must be a non-empty string"]}`},
		{"customers", `{"customer_ids":{"registered":"x"},"properties":{"a":1}}`, 200, `{"success":true}`},
		{"customers", `nope`, 400, `{"success":false,"errors":["data: must be an object"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.body, func(t *testing.T) {
			r := h.must("POST", "/track/v2/projects/p/"+tt.path, tt.body, nil)
			wantStatus(t, r, tt.status)
			if got := strings.TrimSpace(string(r.body)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if es := h.events(""); len(es) != 1 || es[0].Timestamp != 100 || es[0].CommandID != nil {
		t.Errorf("events: got %+v, want one stamped with server time and no command_id", es)
	}
	r := h.must("GET", "/track/v2/projects/p/system/time", "", nil)
	if got := strings.TrimSpace(string(r.body)); got != `{"success":true,"time":100}` {
		t.Errorf("system/time: got %s", got)
	}
	wantStatus(t, h.must("GET", "/track/v2/projects/p/batch", "", nil), 405)
	wantStatus(t, h.must("POST", "/track/v2/projects/p/nothing", "{}", nil), 404)
}
