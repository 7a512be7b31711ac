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
