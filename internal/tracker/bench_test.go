package tracker

import (
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// benchCalls returns n trackEvent calls like a page's burst: a handful of
// properties each, under two default properties.
func benchCalls(n int) []Call {
	calls := make([]Call, n)
	for i := range calls {
		args := `{"name":"bench","properties":{"seq":` + strconv.Itoa(i) + `,"phase":"burst","run":"this-1-abcdef","item_name":"coffee beans","price":12.9,"on_sale":false}}`
		calls[i] = Call{Method: "trackEvent", Args: []byte(args), TimeMs: now}
	}
	return calls
}

// benchApply applies calls per op in batches of batch calls on the memory
// store, reporting the time per call. The ids come from uuid.NewString (as
// in the SDK, though without its random pool: under wasm about a third of
// the time is crypto/rand).
func benchApply(b *testing.B, calls []Call, batch int) {
	cfg, err := ParseConfig([]byte(`{"projectToken":"p","defaultProperties":{"app":"shop","version":3}}`))
	if err != nil {
		b.Fatal(err)
	}
	store := queue.NewMemory()
	tr, err := Open(ctxlite.Background(), store, cfg, Device{UserAgent: chromeLinux, Language: "en-US"}, uuid.NewString)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < len(calls); j += batch {
			res, _ := tr.Apply(ctxlite.Background(), calls[j:min(j+batch, len(calls))])
			if res[0].Err != nil {
				b.Fatal(res[0].Err)
			}
		}
		if i%20 == 19 { // keep the memory store small
			b.StopTimer()
			store = queue.NewMemory()
			tr.store = store
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(calls))/1000, "µs/call")
}

// BenchmarkApply measures building and storing a burst of trackEvent calls
// (the Go side of a 10,000-event burst), per call, on the memory store.
func BenchmarkApply(b *testing.B) { benchApply(b, benchCalls(500), 500) }

// BenchmarkApplyOne is BenchmarkApply with one call per Apply, as when the
// page tracks an event now and then: the per-batch costs are all per call.
func BenchmarkApplyOne(b *testing.B) { benchApply(b, benchCalls(500), 1) }
