package tracker

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// Regression tests for bugs FuzzApply found.

// TestFuzzRegressionLoneSurrogateKeys: JSON.stringify writes a lone
// surrogate as a \ud800 escape, and JavaScript keeps it: {"\ud800":1,
// "\udc00":2,"\ufffd":3} is three distinct properties. The tracker decodes
// each key with jsonx.String (lone surrogate → U+FFFD), dedupes on the
// decoded key and re-encodes it, so it stores {"�":3}: two properties lost
// and one renamed, with no error. The same happens to customer id names and
// to the event name. Each call must either be stored faithfully or rejected
// with an *InputError.
func TestFuzzRegressionLoneSurrogateKeys(t *testing.T) {
	for _, tc := range []struct {
		name, method, args string
		field              func(data map[string]json.RawMessage) []byte // what must hold the input's keys
		in                 func(args []byte) []byte
	}{
		{"property names", "trackEvent", `{"name":"e","properties":{"\ud800":1,"\udc00":2,"\ufffd":3}}`,
			func(d map[string]json.RawMessage) []byte { return d["properties"] },
			func(a []byte) []byte { return fzMember(a, "properties") }},
		{"customer id names", "identifyCustomer", `{"ids":{"\ud800":"a","\udc00":"b"}}`,
			func(d map[string]json.RawMessage) []byte { return d["customer_ids"] },
			func(a []byte) []byte { return fzMember(a, "ids") }},
		{"event name", "trackEvent", `{"name":"\ud800"}`,
			func(d map[string]json.RawMessage) []byte {
				return []byte(`{` + string(d["event_type"]) + `:1}`)
			},
			func(a []byte) []byte { return []byte(`{` + string(fzMember(a, "name")) + `:1}`) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := open(t, queue.NewMemory(), `{"projectToken":"p"}`)
			res, stored := tr.Apply(ctxlite.Background(), []Call{{Method: tc.method, Args: []byte(tc.args), TimeMs: now}})
			if res[0].Err != nil {
				fzCheckInputError(t, res[0].Err, tc.method)
				return // rejected with a named error: fine
			}
			var cmd struct{ Data map[string]json.RawMessage }
			if err := json.Unmarshal([]byte(stored[0].Body), &cmd); err != nil {
				t.Fatal(err)
			}
			in, err := jsMembers(tc.in([]byte(tc.args)))
			if err != nil {
				t.Fatal(err)
			}
			out, err := jsMembers(tc.field(cmd.Data))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range in {
				found := false
				for _, o := range out {
					found = found || (o.key == m.key && bytes.Equal(o.raw, m.raw))
				}
				if !found {
					t.Errorf("%s(%s) was stored as %s: %s = %s is lost", tc.method, tc.args, stored[0].Body, m.key, m.raw)
				}
			}
		})
	}
}

// TestFuzzRegressionOversizeIdentifyKeepsItsIDs: an identifyCustomer whose
// command is over wire.MaxCommandBytes is rejected with a RangeError, "not
// stored", yet Apply has already merged its ids into the stored identity
// (identityFor runs before the size check), so every later event, in this
// tab and others, is tracked for the customer of the rejected call.
func TestFuzzRegressionOversizeIdentifyKeepsItsIDs(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p"}`)
	var props []string
	for i := range 60 {
		props = append(props, `"k`+strconv.Itoa(i)+`":"`+strings.Repeat("y", 14000)+`"`)
	}
	args := `{"ids":{"registered":"rejected@example.com"},"properties":{` + strings.Join(props, ",") + `}}`
	res, stored := tr.Apply(ctxlite.Background(), []Call{
		{Method: "identifyCustomer", Args: []byte(args), TimeMs: now},
		{Method: "trackEvent", Args: []byte(`{"name":"same-batch"}`), TimeMs: now},
	})
	if res[0].Err == nil {
		t.Fatalf("an %d-byte identifyCustomer was accepted", len(args))
	}
	fzCheckInputError(t, res[0].Err, "identifyCustomer")
	_, later := tr.Apply(ctxlite.Background(), []Call{{Method: "trackEvent", Args: []byte(`{"name":"later"}`), TimeMs: now}})
	for _, r := range append(stored, later...) {
		if strings.Contains(r.Body, "rejected@example.com") {
			t.Errorf("rejected call %v, yet an event carries its ids: %s", res[0].Err, r.Body)
		}
	}
	if st, _, _ := store.GetState(ctxlite.Background(), StateCustomer); strings.Contains(st, "rejected@example.com") {
		t.Errorf("rejected call %v, yet the stored identity has its ids: %s", res[0].Err, st)
	}
}

// TestFuzzRegressionErrorFieldOfLoneSurrogateKey: a rejected member whose
// name holds a lone surrogate is named in the error by its decoded Key, the
// WTF-8 form, which is not valid UTF-8: the bridge writes each of its bytes
// as U+FFFD, so the page reads "ids.���" whichever surrogate it was. The
// field must be valid UTF-8 and tell the names apart.
func TestFuzzRegressionErrorFieldOfLoneSurrogateKey(t *testing.T) {
	for _, tc := range []struct{ method, args string }{
		{"identifyCustomer", `{"ids":{"%s":5}}`},
		{"trackEvent", `{"name":"e","properties":{"%s":` + fzValueOfSize(wire.MaxValueBytes+1, "x") + `}}`},
	} {
		var fields []string
		for _, key := range []string{`\ud800`, `\udc00`} {
			tr, _ := open(t, queue.NewMemory(), `{"projectToken":"p"}`)
			args := strings.Replace(tc.args, "%s", key, 1)
			res, _ := tr.Apply(ctxlite.Background(), []Call{{Method: tc.method, Args: []byte(args), TimeMs: now}})
			ie := fzCheckInputError(t, res[0].Err, tc.method)
			if !utf8.ValidString(ie.Field) {
				t.Errorf("%s with key %s: field %q is not valid UTF-8", tc.method, key, ie.Field)
			}
			fields = append(fields, strings.ToValidUTF8(ie.Field, "\ufffd"))
		}
		if fields[0] == fields[1] {
			t.Errorf("%s: keys \\ud800 and \\udc00 are both named %q once sent to the page", tc.method, fields[0])
		}
	}
}
