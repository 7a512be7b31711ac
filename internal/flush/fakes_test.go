package flush

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable Clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func fixed(j float64) func() float64 { return func() float64 { return j } }

// cmd is a record body as the tracker builds it.
func cmd(id string) string {
	return `{"name":"customers/events","command_id":"` + id + `","data":{"event_type":"e"}}`
}

func rec(i int) queue.Record {
	id := "id-" + strconv.Itoa(i)
	return queue.Record{ID: id, Kind: queue.KindEvent, CreatedMs: int64(i), Body: cmd(id)}
}

// fill appends n records id-0..id-(n-1) to a new Memory store.
func fill(t *testing.T, n int) *queue.Memory {
	t.Helper()
	m := queue.NewMemory()
	recs := make([]queue.Record, n)
	for i := range recs {
		recs[i] = rec(i)
	}
	if _, err := m.Append(ctxlite.Background(), recs); err != nil {
		t.Fatal(err)
	}
	return m
}

func all(t *testing.T, s queue.Store) []queue.Record {
	t.Helper()
	recs, err := s.Oldest(ctxlite.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// ids returns the command_ids in a request body.
func ids(body []byte) []string {
	raw, _, _ := jsonx.Lookup(body, "commands")
	elems, _ := jsonx.Array(raw)
	out := make([]string, len(elems))
	for i, e := range elems {
		v, _, _ := jsonx.Lookup(e, "command_id")
		out[i], _ = jsonx.String(v)
	}
	return out
}

// results builds a 200 response; ok decides each command by id.
func results(body []byte, ok func(id string) bool) Response {
	var b strings.Builder
	b.WriteString(`{"results":[`)
	for i, id := range ids(body) {
		if i > 0 {
			b.WriteByte(',')
		}
		if ok(id) {
			b.WriteString(`{"success":true}`)
		} else {
			b.WriteString(`{"success":false,"errors":["invalid ` + id + `"]}`)
		}
	}
	b.WriteString(`],"success":true,"start_time":1,"end_time":2}`)
	return Response{Status: 200, Body: []byte(b.String())}
}

func allOK(string) bool { return true }

// sender is a fake Sender: reply answers each request; it logs every body.
type sender struct {
	mu     sync.Mutex
	bodies [][]byte
	reply  func(n int, body []byte) (Response, error) // n: 0-based call number
}

func (s *sender) Send(ctx ctxlite.Context, body []byte) (Response, error) {
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, body)
	reply := s.reply
	s.mu.Unlock()
	if reply == nil {
		return results(body, allOK), nil
	}
	return reply(n, body)
}

func (s *sender) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// failing wraps a store and fails the named method while set.
type failing struct {
	queue.Store
	mu   sync.Mutex
	fail map[string]bool
}

var errDisk = errors.New("disk on fire")

func (f *failing) set(method string, on bool) {
	f.mu.Lock()
	if f.fail == nil {
		f.fail = map[string]bool{}
	}
	f.fail[method] = on
	f.mu.Unlock()
}

func (f *failing) err(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[method] {
		return errDisk
	}
	return nil
}

func (f *failing) Oldest(ctx ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	if err := f.err("Oldest"); err != nil {
		return nil, err
	}
	return f.Store.Oldest(ctx, after, n)
}

func (f *failing) Delete(ctx ctxlite.Context, seqs []int64) error {
	if err := f.err("Delete"); err != nil {
		return err
	}
	return f.Store.Delete(ctx, seqs)
}

func (f *failing) Update(ctx ctxlite.Context, recs []queue.Record) error {
	if err := f.err("Update"); err != nil {
		return err
	}
	return f.Store.Update(ctx, recs)
}

// nextAttempt is when the flusher's backoff ends (zero: not backing off).
func nextAttempt(f *Flusher) time.Time {
	next, _ := f.next(f.clock())
	return next
}

// isPaused tells whether the flusher is paused after a 401/403/404.
func isPaused(f *Flusher) bool {
	_, paused := f.next(f.clock())
	return paused
}
