package wire

import (
	"reflect"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

func TestParseCommandErrors(t *testing.T) {
	big := `"` + strings.Repeat("x", MaxValueBytes) + `"` // 2 bytes over
	tests := []struct {
		cmd  string
		want []string // nil: valid
	}{
		{`{"name":"customers/events","command_id":"e","data":{"customer_ids":{"cookie":"c"},"event_type":"a","timestamp":1.5}}`, nil},
		{`{"name":"customers/events","data":{"customer_ids":{},"event_type":"","timestamp":-1}}`,
			[]string{ErrTextCustomerIDs, ErrTextEventType, ErrTextTimestamp}},
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":5},"event_type":"x","properties":[1]}}`,
			[]string{ErrTextCustomerIDs, ErrTextProperties}},
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":""},"event_type":"x","timestamp":"1"}}`,
			[]string{ErrTextCustomerIDs, ErrTextTimestamp}},
		{`{"name":"customers/events","data":{"customer_ids":{"":"c"},"event_type":"x","timestamp":0}}`,
			[]string{ErrTextCustomerIDs, ErrTextTimestamp}},
		{`{"name":"customers/events","data":{"customer_ids":{"c":"c"},"event_type":"x","timestamp":1e300}}`,
			[]string{ErrTextTimestamp}},
		{`{"name":"customers/events","data":{"customer_ids":{"c":"c"},"event_type":"x","timestamp":1e400}}`,
			[]string{ErrTextTimestamp}},
		{`{"name":"customers/events","data":{"customer_ids":{"c":"c"},"event_type":"x","properties":{"v":` + big + `}}}`,
			[]string{"properties.v: is 16386 bytes encoded, over the 16 KB limit for a value"}},
		{`{"name":"customers","data":{"customer_ids":"c"}}`, []string{ErrTextCustomerIDs}},
		{`{"name":"customers","data":[]}`, []string{ErrTextData}},
		{`{"name":"customers"}`, []string{ErrTextData}},
		{`{"name":"nope"}`, []string{`name: unknown command "nope"`}},
		{`{"data":{}}`, []string{ErrTextName}},
		{`{"name":""}`, []string{ErrTextName}},
		{`[]`, []string{ErrTextCommand}},
		{`{"name":"customers","command_id":7,"data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":null,"data":{"customer_ids":{"cookie":"c"}}}`, nil},
		{`{"name":"customers","command_id":"` + strings.Repeat("i", MaxCommandIDBytes) + `","data":{"customer_ids":{"cookie":"c"}}}`, nil},
		{`{"name":"customers","command_id":"` + strings.Repeat("i", MaxCommandIDBytes+1) + `","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"objednávka-7","data":{"customer_ids":{"cookie":"c"}}}`, nil},
		{`{"name":"customers","command_id":"a\u0001b","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"ab","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{"{\"name\":\"customers/events\",\"data\":{\"customer_ids\":{\"c\":\"c\"},\"event_type\":\"x\",\"properties\":{\"v\":\"a\xffb\"}}}", []string{ErrTextUTF8}},
		{"{\"name\":\"customers\",\"data\":{\"customer_ids\":{\"c\":\"\xc3\"}}}", []string{ErrTextUTF8}},
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":"c"},"event_type":"no-timestamp"}}`, nil},
		{`{"name":"system/time"}`, nil},
		// Every string value the API takes is held to 16 KB, as property
		// values are.
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":` + big + `},"event_type":` + big + `}}`,
			[]string{"customer_ids.cookie: is 16386 bytes encoded, over the 16 KB limit for a value",
				"event_type: is 16386 bytes encoded, over the 16 KB limit for a value"}},
		{`{"name":"customers","data":{"customer_ids":{"cookie":"c","registered":` + big + `}}}`,
			[]string{"customer_ids.registered: is 16386 bytes encoded, over the 16 KB limit for a value"}},
		{`{"name":"customers/events","data":{"customer_ids":{"cookie":"` + strings.Repeat("c", MaxValueBytes-2) + `"},"event_type":"x"}}`, nil},
		// A lone surrogate decodes to U+FFFD: ids that differ there would
		// be taken for one. A pair is a character like any other.
		{`{"name":"customers","command_id":"a\ud800","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"a\udbffb","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"\udc00a","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"\ud800\u0041","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"\ud800\ud800\udc00","data":{"customer_ids":{"cookie":"c"}}}`, []string{ErrTextCommandID}},
		{`{"name":"customers","command_id":"x\ud83d\ude00\\ud800","data":{"customer_ids":{"cookie":"c"}}}`, nil},
	}
	for _, tt := range tests {
		_, errs := parseCommand([]byte(tt.cmd))
		if !reflect.DeepEqual(errs, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.cmd, errs, tt.want)
		}
	}
}

func TestParseDataUTF8(t *testing.T) {
	_, errs := ParseData(CommandEvent, []byte("{\"customer_ids\":{\"c\":\"c\"},\"event_type\":\"x\xfe\"}"))
	if !reflect.DeepEqual(errs, []string{ErrTextUTF8}) {
		t.Errorf("got %q, want %q", errs, ErrTextUTF8)
	}
}

// The commands the SDK builds are the commands a server accepts, read back
// as they were built.
func TestEncodeThenParse(t *testing.T) {
	ids := Props{{Key: "cookie", Value: []byte(`"c-1"`)}, {Key: "registered", Value: []byte(`"a@b.com"`)}}
	props := Props{{Key: "price", Value: []byte(`123.45`)}, {Key: "tags", Value: []byte(`["a",{"b":null}]`)}}
	ev := Event{ID: "e-1", CustomerIDs: ids, Type: []byte(`"purchase"`), Timestamp: 1764320000.123, Properties: props}
	c, errs := parseCommand(ev.AppendJSON(nil))
	if errs != nil {
		t.Fatal(errs)
	}
	want := Command{Name: CommandEvent, ID: "e-1", EventType: "purchase", Timestamp: 1764320000.123,
		Properties: []byte(`{"price":123.45,"tags":["a",{"b":null}]}`)}
	if c.Name != want.Name || c.ID != want.ID || c.EventType != want.EventType || c.Timestamp != want.Timestamp ||
		string(c.Properties) != string(want.Properties) || string(c.CustomerIDs.AppendJSON(nil)) != string(ids.AppendJSON(nil)) {
		t.Errorf("event: got %+v", c)
	}
	cu := Customer{ID: "u-1", CustomerIDs: ids, Properties: Props{{Key: "paying", Value: []byte(`true`)}}}
	c, errs = parseCommand(cu.AppendJSON(nil))
	if errs != nil || c.Name != CommandCustomer || c.ID != "u-1" || string(c.Properties) != `{"paying":true}` {
		t.Errorf("customer: got %+v, %q", c, errs)
	}
}

func TestEventEncoding(t *testing.T) {
	ev := Event{ID: "id", CustomerIDs: Props{{Key: "cookie", Value: []byte(`"c"`)}}, Type: []byte(`"a\"b"`), Timestamp: 1.5}
	want := `{"name":"customers/events","command_id":"id","data":{"customer_ids":{"cookie":"c"},"event_type":"a\"b","timestamp":1.5,"properties":{}}}`
	if got := string(ev.AppendJSON(nil)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	cu := Customer{ID: "id", CustomerIDs: Props{{Key: "cookie", Value: []byte(`"c"`)}}}
	want = `{"name":"customers","command_id":"id","data":{"customer_ids":{"cookie":"c"},"properties":{}}}`
	if got := string(cu.AppendJSON(nil)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// FuzzParseCommand: any input is accepted or refused, never a panic; what
// is accepted holds what a server needs to store it.
func FuzzParseCommand(f *testing.F) {
	f.Add(`{"name":"customers/events","command_id":"e","data":{"customer_ids":{"cookie":"c"},"event_type":"x","timestamp":1}}`)
	f.Add(`{"name":"customers","command_id":"u","data":{"customer_ids":{"cookie":"c"},"properties":{"a":[1,{"b":2}]}}}`)
	f.Add(`{"name":"customers/events","data":{"customer_ids":{"a":"b"},"event_type":"x","timestamp":1e400}}`)
	f.Add(`{"name":"system/time"}`)
	f.Fuzz(func(t *testing.T, s string) {
		c, errs := parseCommand([]byte(s))
		// In a batch, the same command (validated with the whole body,
		// then split without validation) gets the same verdict.
		if cmds, berrs, err := ParseBatch([]byte(`{"commands":[` + s + `]}`)); err == nil && len(cmds) == 1 {
			if !reflect.DeepEqual(berrs[0], errs) || cmds[0].Name != c.Name || cmds[0].ID != c.ID ||
				cmds[0].EventType != c.EventType || string(cmds[0].Properties) != string(c.Properties) {
				t.Fatalf("%q: in a batch %+v %q, alone %+v %q", s, cmds[0], berrs[0], c, errs)
			}
		}
		if len(errs) > 0 || c.Name == CommandTime {
			return
		}
		if len(c.CustomerIDs) == 0 {
			t.Fatalf("accepted %q without customer ids", s)
		}
		for _, m := range c.CustomerIDs {
			if v, err := jsonx.String(m.Value); err != nil || v == "" || m.Key == "" {
				t.Fatalf("accepted %q with customer id %q: %q", s, m.Key, m.Value)
			}
		}
		ps, err := jsonx.Object(c.Properties)
		if err != nil && string(c.Properties) != "{}" {
			t.Fatalf("accepted %q with properties %q", s, c.Properties)
		}
		for _, m := range ps { // the validating parser agrees with the one-pass walk
			if !ValueFits(len(m.Value)) {
				t.Fatalf("accepted %q with property %q of %d bytes", s, m.Key, len(m.Value))
			}
		}
		ids, err := jsonx.Object(c.CustomerIDs.AppendJSON(nil))
		if err != nil || len(ids) != len(c.CustomerIDs) {
			t.Fatalf("accepted %q with customer ids %q", s, c.CustomerIDs.AppendJSON(nil))
		}
		if c.Name == CommandEvent && (c.EventType == "" || c.Timestamp != 0 && !ValidTimestamp(c.Timestamp)) {
			t.Fatalf("accepted invalid event %q", s)
		}
	})
}
