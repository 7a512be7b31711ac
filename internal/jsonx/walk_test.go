package jsonx

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// objectRef is ObjectNames as it was before the one-pass walk: validate the
// whole input, then walk the members of what is known to be valid.
func objectRef(data []byte, limit int) ([]Member, error) {
	v, err := wholeLimit(data, limit)
	if err != nil {
		return nil, err
	}
	if v[0] != '{' {
		return nil, ErrType
	}
	var out []Member
	i := skipSpace(v, 1)
	for i < len(v) && v[i] == '"' {
		end, _ := skipString(v, i)
		key, err := decodeString(v[i:end], true)
		if err != nil {
			return nil, err
		}
		vs := skipSpace(v, skipSpace(v, end)+1)
		ve, _ := skipValue(v, vs, limit)
		out = append(out, Member{Key: key, Value: v[vs:ve], RawKey: v[i:end]})
		i = skipSpace(v, ve)
		if v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return out, nil
}

// checkObject compares ObjectNames (with and without names) and
// AppendObject against objectRef: same members, same error.
func checkObject(t *testing.T, data []byte, limit int, names *Names) {
	t.Helper()
	want, wantErr := objectRef(data, limit)
	for _, via := range []string{"ObjectNames", "ObjectNames+names", "AppendObject"} {
		var got []Member
		var err error
		switch via {
		case "ObjectNames":
			got, err = ObjectNames(data, limit, nil)
		case "ObjectNames+names":
			got, err = ObjectNames(data, limit, names)
		default:
			prefix := []Member{{Key: "prefix"}}
			got, err = AppendObject(prefix, data, limit, names)
			if len(got) == 0 || got[0].Key != "prefix" {
				t.Fatalf("%s(%q): lost what dst held", via, data)
			}
			got = got[1:]
			if err != nil && len(got) != 0 {
				t.Fatalf("%s(%q): error %v, yet dst grew", via, data, err)
			}
		}
		if (err == nil) != (wantErr == nil) || err != nil && (err.Error() != wantErr.Error() ||
			errors.Is(err, ErrType) != errors.Is(wantErr, ErrType) || errors.Is(err, ErrTooDeep) != errors.Is(wantErr, ErrTooDeep)) {
			t.Fatalf("%s(%q, %d): error %v, want %v", via, data, limit, err, wantErr)
		}
		if len(got) != len(want) {
			t.Fatalf("%s(%q, %d): %d members, want %d", via, data, limit, len(got), len(want))
		}
		for i := range got {
			if got[i].Key != want[i].Key || string(got[i].Value) != string(want[i].Value) || string(got[i].RawKey) != string(want[i].RawKey) {
				t.Fatalf("%s(%q, %d): member %d is %q=%s, want %q=%s", via, data, limit, i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
			}
		}
	}
}

var objectCases = []string{
	``, ` `, `{`, `}`, `{}`, ` { } `, `{} x`, `{}}`, `[]`, `[1]`, `1`, `"s"`, `null`, `tru`, `{,}`,
	`{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":1,"a":2}`, `{"a" : [1, {"b":[]}] , "c":"\u0041"}`,
	`{"\u006b":1,"k":2}`, `{"\ud800":1,"\udc00":2}`, `{"a\"b":{"c":{"d":{}}}}`, "{\"a\":\"\xff\"}", `{"a":1e}`,
	`{"a":01}`, `{"a":-}`, `{"":""}`, " \t\n{\"x\"\r:\n[ ]\t}\n", `{"a":{"b":{"c":{"d":1}}}}`, `{"a":[[[[1]]]]}`,
	`{"a":1}{"b":2}`, `{"a":"\q"}`, `{"a":"x`, `{"a`, `{"a":1,"b":[1,2,}`, `{"a":nul}`, `{"a":true,"b":false,"c":null}`,
}

func TestObjectMatchesReference(t *testing.T) {
	var names Names
	many := make([]string, 40)
	for i := range many {
		many[i] = `"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i)
	}
	cases := append(objectCases, "{"+strings.Join(many, ",")+"}", strings.Repeat(`{"a":`, 70)+"1"+strings.Repeat("}", 70))
	for _, c := range cases {
		for limit := 0; limit <= MaxDepth+2; limit++ {
			checkObject(t, []byte(c), limit, &names)
		}
	}
}

// FuzzObject checks the one-pass walk against validate-then-walk.
func FuzzObject(f *testing.F) {
	for _, c := range objectCases {
		f.Add([]byte(c), uint8(MaxDepth))
	}
	f.Add([]byte(`{"a":{"b":[{"c":1}]}}`), uint8(2))
	var names Names
	f.Fuzz(func(t *testing.T, data []byte, limit uint8) {
		checkObject(t, data, int(limit%(MaxDepth+3)), &names)
	})
}

func TestNames(t *testing.T) {
	var names Names
	data := []byte(`{"seq":1,"phase":"burst","item_name":"x","\u0070hase":2,"` + strings.Repeat("n", maxNameLen+1) + `":3}`)
	first, err := ObjectNames(data, MaxDepth, &names)
	if err != nil {
		t.Fatal(err)
	}
	if first[3].Key != "phase" || first[4].Key != strings.Repeat("n", maxNameLen+1) {
		t.Fatalf("names decoded wrong: %q", first)
	}
	// Walked again, the short plain names come from the table.
	short := []byte(`{"seq":1,"phase":"burst","item_name":"x"}`)
	var buf [8]Member
	if n := testing.AllocsPerRun(100, func() { _, _ = AppendObject(buf[:0], short, MaxDepth, &names) }); n != 0 {
		t.Errorf("walking known names allocates %v times", n)
	}
	// More names than slots: each still decodes to itself.
	for i := range 3 * namesSlots {
		k := "name" + strconv.Itoa(i%(2*namesSlots))
		ms, err := ObjectNames([]byte(`{"`+k+`":1}`), MaxDepth, &names)
		if err != nil || len(ms) != 1 || ms[0].Key != k {
			t.Fatalf("name %s: got %q %v", k, ms, err)
		}
	}
}
