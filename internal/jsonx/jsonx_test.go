package jsonx

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValid(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	tooDeep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{}`, true}, {` {"a" : [1, -2.5e+3, true, false, null, "x\u00e9\n"] } `, true},
		{`"\ud800"`, true}, {`0`, true}, {`-0.0`, true}, {deep, true},
		{``, false}, {`{`, false}, {`{"a"}`, false}, {`{"a":1,}`, false}, {`[1,]`, false},
		{`01`, false}, {`1.`, false}, {`.5`, false}, {`1e`, false}, {`NaN`, false}, {`Infinity`, false},
		{`"a\x"`, false}, {`"\u12"`, false}, {"\"\x01\"", false}, {"\"\xff\"", false},
		{`{} {}`, false}, {`tru`, false}, {`{1:2}`, false}, {tooDeep, false},
	} {
		if got := Valid([]byte(tc.in)); got != tc.want {
			t.Errorf("Valid(%q): got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestObjectAndLookup(t *testing.T) {
	ms, err := Object([]byte(` { "a" : 1 , "b\"c":{"x":[1,2]}, "a":"dup" } `))
	if err != nil {
		t.Fatal(err)
	}
	want := []Member{{"a", []byte("1"), []byte(`"a"`)}, {`b"c`, []byte(`{"x":[1,2]}`), []byte(`"b\"c"`)}, {"a", []byte(`"dup"`), []byte(`"a"`)}}
	if len(ms) != len(want) {
		t.Fatalf("got %d members, want %d", len(ms), len(want))
	}
	for i := range ms {
		if ms[i].Key != want[i].Key || string(ms[i].Value) != string(want[i].Value) || string(ms[i].RawKey) != string(want[i].RawKey) {
			t.Errorf("member %d: got %q=%s, want %q=%s", i, ms[i].Key, ms[i].Value, want[i].Key, want[i].Value)
		}
	}
	if _, err := Object([]byte(`[1]`)); !errors.Is(err, ErrType) {
		t.Errorf("Object of array: got %v, want ErrType", err)
	}
	v, ok, err := Lookup([]byte(`{"results":[{"success":true}]}`), "results")
	if err != nil || !ok || string(v) != `[{"success":true}]` {
		t.Errorf("Lookup: got %s %v %v", v, ok, err)
	}
	if empty, err := Object([]byte(`{}`)); err != nil || len(empty) != 0 {
		t.Errorf("empty object: got %v %v", empty, err)
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)
	if _, err := Array([]byte(deep)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("Array over MaxDepth: got %v, want ErrTooDeep", err)
	}
	if _, err := ArrayLimit([]byte(deep), MaxDepth+2); err != nil {
		t.Errorf("ArrayLimit with room: %v", err)
	}
	if _, err := Array([]byte(`[1,`)); err == nil || errors.Is(err, ErrTooDeep) {
		t.Errorf("malformed: got %v, want a syntax error that is not ErrTooDeep", err)
	}
	m := Member{Key: "\ufffd", RawKey: []byte(`"\ud800"`)}
	if got := string(m.AppendKey(nil)); got != `"\ud800"` {
		t.Errorf("AppendKey keeps the raw name: got %s", got)
	}
	if got := string((Member{Key: "a\"b"}).AppendKey(nil)); got != `"a\"b"` {
		t.Errorf("AppendKey encodes Key without RawKey: got %s", got)
	}
}

func TestArray(t *testing.T) {
	els, err := Array([]byte(`[ 1, "two", [3], {"f":4} ]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`1`, `"two"`, `[3]`, `{"f":4}`}
	for i, w := range want {
		if string(els[i]) != w {
			t.Errorf("element %d: got %s, want %s", i, els[i], w)
		}
	}
	if empty, err := Array([]byte(`[]`)); err != nil || len(empty) != 0 {
		t.Errorf("empty array: got %v %v", empty, err)
	}
}

func TestScalars(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"plain"`, "plain"}, {`"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t"},
		{`"\u00e9\u20AC"`, "é€"}, {`"\ud83d\ude00"`, "😀"}, {`"\ud800x"`, "\ufffdx"}, {`"\ude00\ud800"`, "\ufffd\ufffd"},
	} {
		got, err := String([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("String(%s): got %q %v, want %q", tc.in, got, err, tc.want)
		}
	}
	if f, err := Number([]byte(`-12.5e1`)); err != nil || f != -125 {
		t.Errorf("Number: got %v %v", f, err)
	}
	if _, err := Number([]byte(`1e999`)); err == nil {
		t.Error("Number(1e999): want an out-of-range error")
	}
	if _, err := Number([]byte(`"1"`)); !errors.Is(err, ErrType) {
		t.Errorf("Number of string: got %v, want ErrType", err)
	}
	if b, err := Bool([]byte(`true`)); err != nil || !b {
		t.Errorf("Bool: got %v %v", b, err)
	}
	if _, err := Bool([]byte(`1`)); !errors.Is(err, ErrType) {
		t.Errorf("Bool(1): got %v, want ErrType", err)
	}
}

func TestAppendString(t *testing.T) {
	for _, in := range []string{"", "plain", "q\"b\\", "\x00\x1f\n\t\r", "é😀", "bad\xffutf8", "\u2028"} {
		out := AppendString(nil, in)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AppendString(%q) = %s: not valid JSON: %v", in, out, err)
		}
		want := perByteValid(in)
		if got != want {
			t.Errorf("AppendString(%q) round trip: got %q, want %q", in, got, want)
		}
	}
}

func TestAppendStringEscapesAsJavaScript(t *testing.T) {
	if got := string(AppendString(nil, "\b\f\n\r\t\x01\"\\\u2028")); got != `"\b\f\n\r\t\u0001\"\\`+"\u2028"+`"` {
		t.Errorf("got %s", got)
	}
}

func TestAppendFloat(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		// As JavaScript writes numbers (Number.prototype.toString).
		{1764320000.123, "1764320000.123"}, {0, "0"}, {-2.5, "-2.5"}, {1e21, "1e+21"}, {1.5e21, "1.5e+21"},
		{1e-7, "1e-7"}, {-2.5e-10, "-2.5e-10"}, {1e-6, "0.000001"}, {1e100, "1e+100"}, {5e-324, "5e-324"},
		{123456789012345680000, "123456789012345680000"}, {math.NaN(), "null"}, {math.Inf(1), "null"},
	} {
		if got := string(AppendFloat(nil, tc.in)); got != tc.want {
			t.Errorf("AppendFloat(%v): got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzValid checks the scanner against encoding/json: both accept the same
// inputs (within MaxDepth; jsonx also refuses invalid UTF-8, which RFC 8259
// forbids and encoding/json lets through), and what is accepted decodes the
// same way.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud800"`, `-0.5e-3`, `[]`, `{"__proto__":1}`, "\"\xed\xa0\x80\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := Valid(data)
		want := json.Valid(data)
		if got && !want {
			t.Fatalf("Valid accepts %q, encoding/json does not", data)
		}
		if !got && want && nesting(data) <= MaxDepth && utf8.Valid(data) {
			t.Fatalf("Valid rejects %q, encoding/json accepts it", data)
		}
		if !got {
			return
		}
		if ms, err := Object(data); err == nil {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("Object accepted %q; encoding/json: %v", data, err)
			}
			for _, mem := range ms {
				if _, ok := m[mem.Key]; !ok && utf8.ValidString(mem.Key) {
					t.Fatalf("member %q of %q unknown to encoding/json", mem.Key, data)
				}
			}
		}
		if s, err := String(data); err == nil {
			var want string
			if json.Unmarshal(data, &want) != nil || s != want {
				t.Fatalf("String(%q) = %q, encoding/json says %q", data, s, want)
			}
		}
	})
}

func nesting(data []byte) int {
	depth, most := 0, 0
	inStr, esc := false, false
	for _, c := range data {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '[' || c == '{'):
			depth++
			most = max(most, depth)
		case !inStr && (c == ']' || c == '}'):
			depth--
		}
	}
	return most
}

// perByteValid replaces each invalid UTF-8 byte with U+FFFD, as
// encoding/json and AppendString do.
func perByteValid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for a bad byte, n == 1
		i += n
	}
	return b.String()
}

// FuzzAppendString checks that any Go string encodes to valid JSON that
// decodes back to it (each invalid UTF-8 byte replaced).
func FuzzAppendString(f *testing.F) {
	f.Add("a\"b\\c\n\x00é\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString(nil, s)
		got, err := String(out)
		if err != nil {
			t.Fatalf("AppendString(%q) = %s is not valid: %v", s, out, err)
		}
		if want := perByteValid(s); got != want {
			t.Fatalf("round trip of %q: got %q, want %q", s, got, want)
		}
	})
}

func TestNameIdentifiesWhatJavaScriptDoes(t *testing.T) {
	a, _ := Name([]byte(`"k"`))
	b, _ := Name([]byte(`"\u006b"`))
	if a != "k" || b != "k" {
		t.Errorf(`"k" and "\u006b" decode to %q and %q, want one name`, a, b)
	}
	hi, _ := Name([]byte(`"\ud800"`))
	lo, _ := Name([]byte(`"\udc00"`))
	if hi == lo {
		t.Errorf("two lone surrogates decode to one name %q", hi)
	}
	if _, err := Name([]byte(`"open`)); err == nil {
		t.Error("an unterminated string decoded")
	}
}
