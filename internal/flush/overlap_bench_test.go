package flush

import (
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// slowStore adds the latencies of IndexedDB in a browser to a store.
type slowStore struct {
	queue.Store
	read, write time.Duration
}

func (s *slowStore) Oldest(ctx ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	time.Sleep(s.read)
	return s.Store.Oldest(ctx, after, n)
}

func (s *slowStore) Delete(ctx ctxlite.Context, seqs []int64) error {
	time.Sleep(s.write)
	return s.Store.Delete(ctx, seqs)
}

func (s *slowStore) Update(ctx ctxlite.Context, recs []queue.Record) error {
	time.Sleep(s.write)
	return s.Store.Update(ctx, recs)
}

// BenchmarkFlushSlowIO measures one pass over 20 batches on a real clock
// with a store whose reads take 5 ms and writes 2 ms, and requests of 10 ms:
// what a burst of 1,000 events costs in a browser. Run with -benchtime=10x;
// ms/pass is the number to look at.
func BenchmarkFlushSlowIO(b *testing.B) {
	const batches = 20
	s := &sender{reply: func(_ int, body []byte) (Response, error) {
		time.Sleep(10 * time.Millisecond)
		return results(body, allOK), nil
	}}
	recs := make([]queue.Record, batches*wire.MaxCommands)
	for i := range recs {
		recs[i] = rec(i)
	}
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		mem := queue.NewMemory()
		if _, err := mem.Append(ctx, recs); err != nil {
			b.Fatal(err)
		}
		f := New(&slowStore{Store: mem, read: 5 * time.Millisecond, write: 2 * time.Millisecond}, s, Config{}, nil, fixed(0), Observer{})
		b.StartTimer()
		start := time.Now()
		res, err := f.Flush(ctx, false)
		total += time.Since(start)
		if err != nil || res.Requests != batches || res.Confirmed != len(recs) || res.Kept != 0 {
			b.Fatalf("got %+v, %v; want %v requests confirming all", res, err, batches)
		}
	}
	b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms/pass")
}
