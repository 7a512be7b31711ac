package flush_test

import (
	"fmt"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/flush/schedule"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// okSender answers every command of every batch with success:true.
type okSender struct{}

func (okSender) Send(_ ctxlite.Context, body []byte) (flush.Response, error) {
	// A real Sender POSTs body with fetch; this one knows the batch has 2.
	return flush.Response{Status: 200, Body: []byte(`{"results":[{"success":true},{"success":true}],"success":true}`)}, nil
}

func Example() {
	ctx := ctxlite.Background()
	store := queue.NewMemory()
	store.Append(ctx, []queue.Record{
		{ID: "a", Kind: queue.KindEvent, Body: `{"name":"customers/events","command_id":"a","data":{}}`},
		{ID: "b", Kind: queue.KindCustomer, Body: `{"name":"customers","command_id":"b","data":{}}`},
	})
	f := flush.New(store, okSender{}, flush.Config{}, time.Now, nil, flush.Observer{
		OnFlush: func(r flush.FlushReport) { fmt.Println("delivered", r.IDs) },
	})
	s := schedule.New(schedule.ModeImmediate, 0)
	if d := s.On(schedule.Tracked, time.Now(), true); d.Flush {
		res, err := f.Flush(ctx, false)
		fmt.Println(res.Confirmed, res.Kept, err)
	}
	// Output:
	// delivered [a b]
	// 2 0 <nil>
}
