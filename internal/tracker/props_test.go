package tracker

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// dedupeRef and mergeRef are dedupe and Merge as they were, with a map
// whatever the size: the linear scans for small inputs must agree.
func dedupeRef(ms []jsonx.Member) wire.Props {
	if len(ms) < 2 {
		return ms
	}
	seen := make(map[string]int, len(ms))
	out := make(wire.Props, 0, len(ms))
	for _, m := range ms {
		if i, ok := seen[m.Key]; ok {
			out[i].Value = m.Value
			continue
		}
		seen[m.Key] = len(out)
		out = append(out, m)
	}
	return out
}

func mergeRef(base, over wire.Props) wire.Props {
	if len(base) == 0 {
		return over
	}
	if len(over) == 0 {
		return base
	}
	at := make(map[string]int, len(base))
	out := make(wire.Props, len(base), len(base)+len(over))
	for i, m := range base {
		at[m.Key] = i
		out[i] = m
	}
	for _, m := range over {
		if i, ok := at[m.Key]; ok {
			out[i].Value = m.Value
		} else {
			out = append(out, m)
		}
	}
	return out
}

// rawMembers returns the members of an object as jsonx walks it, before
// dedupe.
func rawMembers(t *testing.T, obj string) wire.Props {
	t.Helper()
	ms, err := jsonx.Object([]byte(obj))
	if err != nil {
		t.Fatalf("%s: %v", obj, err)
	}
	return ms
}

func TestDedupe(t *testing.T) {
	big := func(extra string) string { // over smallProps members
		var b strings.Builder
		b.WriteString(`{`)
		for i := range smallProps + 4 {
			b.WriteString(`"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i) + `,`)
		}
		return b.String() + extra + `}`
	}
	for _, tc := range []struct{ in, want string }{
		{`{}`, `{}`},
		{`{"a":1}`, `{"a":1}`},
		{`{"a":1,"b":2,"c":3}`, `{"a":1,"b":2,"c":3}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`{"a":1,"b":2,"a":3,"c":4,"b":5}`, `{"a":3,"b":5,"c":4}`},
		{`{"a":1,"a":2,"a":3}`, `{"a":3}`},
		{`{"x":0,"a":1,"a":2,"b":3}`, `{"x":0,"a":2,"b":3}`},
		{`{"k":1,"\u006b":2}`, `{"k":2}`},                      // one name, written two ways: the first spelling stays
		{`{"\ud800":1,"\udc00":2}`, `{"\ud800":1,"\udc00":2}`}, // two lone surrogates: two names
		{big(`"k3":"last","new":1,"k0":null`), strings.Replace(strings.Replace(big(`"new":1`), `"k3":3`, `"k3":"last"`, 1), `"k0":0`, `"k0":null`, 1)},
	} {
		ms := rawMembers(t, tc.in)
		want := string(dedupeRef(append(wire.Props(nil), ms...)).AppendJSON(nil))
		if got := string(dedupe(ms).AppendJSON(nil)); got != tc.want || got != want {
			t.Errorf("dedupe(%s): got %s, want %s (reference %s)", tc.in, got, tc.want, want)
		}
	}
}

// randomProps returns n members named from a pool of k names (so small k
// makes duplicates common), some written with an escape.
func randomProps(r *rand.Rand, n, k int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		name := "n" + strconv.Itoa(r.Intn(k))
		if r.Intn(5) == 0 {
			name = `\u006e` + name[1:]
		}
		b.WriteString(`"` + name + `":` + strconv.Itoa(r.Intn(1000)))
	}
	return b.String() + "}"
}

// TestDedupeAndMergeAgreeAcrossSizes compares the linear scans (small
// inputs) and the maps (large) with the map-only reference, on sizes
// either side of smallProps.
func TestDedupeAndMergeAgreeAcrossSizes(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var scratch wire.Props
	for range 5000 {
		n, k := r.Intn(3*smallProps), 1+r.Intn(3*smallProps)
		in := randomProps(r, n, k)
		ms := rawMembers(t, in)
		want := string(dedupeRef(append(wire.Props(nil), ms...)).AppendJSON(nil))
		if got := string(dedupe(ms).AppendJSON(nil)); got != want {
			t.Fatalf("dedupe(%s):\n got %s\nwant %s", in, got, want)
		}

		// Merge is not only given deduped input: base may repeat a name.
		base := rawMembers(t, randomProps(r, r.Intn(3*smallProps), 1+r.Intn(3*smallProps)))
		over := rawMembers(t, randomProps(r, r.Intn(3*smallProps), 1+r.Intn(3*smallProps)))
		want = string(mergeRef(base, over).AppendJSON(nil))
		if got := string(Merge(base, over).AppendJSON(nil)); got != want {
			t.Fatalf("Merge(%s, %s):\n got %s\nwant %s", base.AppendJSON(nil), over.AppendJSON(nil), got, want)
		}
		scratch = mergeInto(scratch, base, over)
		if got := string(scratch.AppendJSON(nil)); got != want {
			t.Fatalf("mergeInto(%s, %s):\n got %s\nwant %s", base.AppendJSON(nil), over.AppendJSON(nil), got, want)
		}
	}
}

// TestApplyBatchMatchesSingleCalls checks that a batch, whose calls share
// name table and member chunks, stores exactly what the same calls applied
// one by one store: nothing carved for one call leaks into another's.
func TestApplyBatchMatchesSingleCalls(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	var calls []Call
	for i := range 300 {
		c := Call{Method: "trackEvent", TimeMs: now + float64(i)}
		props := randomProps(r, r.Intn(2*smallProps), 1+r.Intn(2*smallProps))
		switch r.Intn(6) {
		case 0:
			c.Method = "identifyCustomer"
			c.Args = []byte(`{"ids":{"crm":"c` + strconv.Itoa(r.Intn(3)) + `","n` + strconv.Itoa(r.Intn(3)) + `":"x"},"properties":` + props + `}`)
		case 1:
			c.Args = []byte(`{"name":"bad","properties":[1]}`)
		case 2:
			c.Args = []byte(`{"name":"big","properties":{"s":"` + strings.Repeat("x", wire.MaxValueBytes) + `"}}`)
		default:
			c.Args = []byte(`{"name":"e` + strconv.Itoa(i) + `","properties":` + props + `}`)
		}
		calls = append(calls, c)
	}
	const cfg = `{"projectToken":"p","defaultProperties":{"n1":"default","app":"shop"}}`
	ctx := ctxlite.Background()
	batch, one := queue.NewMemory(), queue.NewMemory()
	trB, _ := open(t, batch, cfg)
	trO, _ := open(t, one, cfg)
	resB, _ := trB.Apply(ctx, calls)
	for i, c := range calls {
		res, _ := trO.Apply(ctx, []Call{c})
		if got, want := errText(resB[i].Err), errText(res[0].Err); got != want {
			t.Fatalf("call %d: batch %s, alone %s", i, got, want)
		}
	}
	gotB, _ := batch.Oldest(ctx, 0, 1000)
	gotO, _ := one.Oldest(ctx, 0, 1000)
	if len(gotB) != len(gotO) || len(gotB) < 150 {
		t.Fatalf("batch stored %d records, one by one %d", len(gotB), len(gotO))
	}
	for i := range gotB {
		if gotB[i].Body != gotO[i].Body {
			t.Fatalf("record %d:\nbatch %s\nalone %s", i, gotB[i].Body, gotO[i].Body)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}
