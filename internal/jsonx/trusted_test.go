package jsonx

import (
	"bytes"
	"testing"
)

// FuzzTrustedMatchesValidating: on valid JSON, the trusted walkers find the
// same elements, members and strings as the validating Array, Object and
// String.
func FuzzTrustedMatchesValidating(f *testing.F) {
	for _, s := range []string{`[]`, `[1, "a\"b", {"k":[1,2]}, null]`, `{"a":1,"b":{"c":"\u00e9\ud800"}, "a" : [ ]}`,
		`{"k\u0061":"v"}`, ` [ "x\\" , true ] `, `"plain"`, `"esc\n\"q\""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !Valid(data) {
			return
		}
		if els, err := Array(data); err == nil {
			got, ok := Elements(data)
			if !ok || len(got) != len(els) {
				t.Fatalf("Elements(%q) = %q, %v; Array: %q", data, got, ok, els)
			}
			for i := range els {
				if !bytes.Equal(got[i], els[i]) {
					t.Fatalf("Elements(%q)[%d] = %q, Array: %q", data, i, got[i], els[i])
				}
			}
		}
		if ms, err := Object(data); err == nil {
			var got []Member
			i := SkipWS(data, 0)
			end := WalkObject(data, i, func(k []byte, v int) int {
				e := ValueEnd(data, v)
				got = append(got, Member{Key: KeyName(k), Value: data[v:e]})
				return e
			})
			if end < 0 || len(got) != len(ms) {
				t.Fatalf("WalkObject(%q) = %v members (end %d), Object: %v", data, len(got), end, len(ms))
			}
			for j := range ms {
				if got[j].Key != ms[j].Key || !bytes.Equal(got[j].Value, ms[j].Value) || !KeyIs(AppendString(nil, ms[j].Key), ms[j].Key) {
					t.Fatalf("WalkObject(%q) member %d = %q %q, Object: %q %q", data, j, got[j].Key, got[j].Value, ms[j].Key, ms[j].Value)
				}
			}
		}
		if s, err := String(data); err == nil {
			if got := Unquote(bytes.TrimSpace(data)); got != s {
				t.Fatalf("Unquote(%q) = %q, String: %q", data, got, s)
			}
		}
	})
}
