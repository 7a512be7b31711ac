package collector

import "testing"

func TestCompact(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{`{"t":"Product 1234"}`, `{"t":"Product 1234"}`},
		{"{ \"a\" :\n[1, 2],\t\"b\\\" c\" : \"x y\" }", `{"a":[1,2],"b\" c":"x y"}`},
		{`{"q":"\\"} `, `{"q":"\\"}`},
	}
	for _, tt := range tests {
		if got := string(compact([]byte(tt.in))); got != tt.want {
			t.Errorf("compact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
