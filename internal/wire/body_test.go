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

func TestFits(t *testing.T) {
	tests := []struct {
		n, size int
		want    bool
	}{
		{1, 100, true},
		{MaxCommands, MaxBodyBytes - 1, true},
		{MaxCommands + 1, 100, false},
		{1, MaxBodyBytes, false},
	}
	for _, tt := range tests {
		if got := Fits(tt.n, tt.size); got != tt.want {
			t.Errorf("Fits(%d, %d) = %v, want %v", tt.n, tt.size, got, tt.want)
		}
	}
}

// A command with bytes that are not UTF-8 is refused on its own; the
// batch around it still parses.
func TestParseBodyInvalidUTF8(t *testing.T) {
	good := `{"name":"customers","command_id":"a","data":{"customer_ids":{"cookie":"c"}}}`
	bad := "{\"name\":\"customers\",\"command_id\":\"b\",\"data\":{\"customer_ids\":{\"cookie\":\"c\xff\xfe\"}}}"
	tests := []struct {
		name    string
		body    string
		want    []string // the raw commands; nil: want an error
		wantErr bool
	}{
		{"one bad among good", `{"commands":[` + good + "," + bad + "," + good + `]}`, []string{good, bad, good}, false},
		{"bad byte in the envelope", "{\"commands\":[" + good + "]\xff}", nil, true},
		{"bad byte in a name", "{\"comm\xffands\":[" + good + "]}", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := ParseBody([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if len(cmds) != len(tt.want) {
				t.Fatalf("got %d commands, want %d", len(cmds), len(tt.want))
			}
			for i := range cmds {
				if string(cmds[i]) != tt.want[i] {
					t.Errorf("command %d: got %q, want %q", i, cmds[i], tt.want[i])
				}
			}
			if len(cmds) == 3 {
				if _, errs := ParseCommand(cmds[1]); !reflect.DeepEqual(errs, []string{ErrTextUTF8}) {
					t.Errorf("bad command: got %q", errs)
				}
				if _, errs := ParseCommand(cmds[0]); errs != nil {
					t.Errorf("good command: got %q", errs)
				}
			}
		})
	}
}
