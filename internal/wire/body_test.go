package wire

import (
	"reflect"
	"strings"
	"testing"
)

func TestBody(t *testing.T) {
	for _, cmds := range [][]string{nil, {`{"a":1}`}, {`{"a":1}`, `{"b":"ž"}`, `{}`}} {
		total := 0
		for _, c := range cmds {
			total += len(c)
		}
		body := string(AppendBody(nil, len(cmds), func(i int) string { return cmds[i] }))
		if want := `{"commands":[` + strings.Join(cmds, ",") + `]}`; body != want {
			t.Errorf("got %s, want %s", body, want)
		}
		if n := BodySize(len(cmds), total); n != len(body) {
			t.Errorf("BodySize(%d, %d) = %d, want %d", len(cmds), total, n, len(body))
		}
	}
}

func TestParseBatchInvalidUTF8(t *testing.T) {
	good := `{"name":"customers","command_id":"a","data":{"customer_ids":{"cookie":"c"}}}`
	bad := "{\"name\":\"customers\",\"command_id\":\"b\",\"data\":{\"customer_ids\":{\"cookie\":\"c\xff\xfe\"}}}"
	tests := []struct {
		name    string
		body    string
		want    [][]string // per command errors; nil: want an error for the body
		wantErr bool
	}{
		{"one bad among good", `{"commands":[` + good + "," + bad + "," + good + `]}`, [][]string{nil, {ErrTextUTF8}, nil}, false},
		{"bad byte in the envelope", "{\"commands\":[" + good + "]\xff}", nil, true},
		{"bad byte in a name", "{\"comm\xffands\":[" + good + "]}", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, errs, err := ParseBatch([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(errs, tt.want) {
				t.Fatalf("got %q, want %q", errs, tt.want)
			}
			if len(cmds) == 3 && (cmds[0].ID != "a" || cmds[2].ID != "a" || cmds[1].ID != "") {
				t.Errorf("commands: got %+v", cmds)
			}
		})
	}
}

func TestParseBatch(t *testing.T) {
	tests := []struct {
		body    string
		ids     []string
		wantErr string
	}{
		{` { "commands" : [ {"name":"customers","command_id":"a","data":{"customer_ids":{"c":"1"}}} , {"name":"system/time"} ] } `, []string{"a", ""}, ""},
		{`{"commands":[]}`, []string{}, ""},
		// A repeated member: the last one counts, as in JSON.parse.
		{`{"commands":[{"name":"customers","command_id":"first","data":{"customer_ids":{"c":"1"}}}],` +
			`"commands":[{"name":"customers","command_id":"last","data":{"customer_ids":{"c":"1"}}}]}`, []string{"last"}, ""},
		{`{"commands":[],"commands":{}}`, nil, "commands: must be an array"},
		{`{"commands":{}}`, nil, "commands: must be an array"},
		{`{"other":[]}`, nil, "commands: must be an array"},
		{`{"commands":[}`, nil, "malformed JSON"},
		{`[1]`, nil, "malformed JSON"},
	}
	for _, tt := range tests {
		cmds, _, err := ParseBatch([]byte(tt.body))
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%s: got %v, want %s", tt.body, err, tt.wantErr)
			}
			continue
		}
		var ids []string
		for _, c := range cmds {
			ids = append(ids, c.ID)
		}
		if err != nil || len(ids) != len(tt.ids) || (len(ids) > 0 && !reflect.DeepEqual(ids, tt.ids)) {
			t.Errorf("%s: got %q %v, want %q", tt.body, ids, err, tt.ids)
		}
	}
}
