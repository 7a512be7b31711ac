package wire

import (
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
