//go:build js && wasm

package main

import (
	"strconv"
	"sync"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/tracker"
	"github.com/hack-pad/safejs"
)

// bridge receives batches of calls from the loader and applies them in
// order on one goroutine.
type bridge struct {
	apply      safejs.Func
	done, emit safejs.Value

	mu      sync.Mutex
	pending []job
	signal  chan struct{}

	app *app // set by configure; only the worker goroutine touches it
}

func newBridge() (*bridge, error) {
	b := &bridge{signal: make(chan struct{}, 1)}
	var err error
	b.apply, err = safejs.FuncOf(b.onApply)
	return b, err
}

// onApply runs inside a JS call: it copies the batch and returns at once.
func (b *bridge) onApply(_ safejs.Value, args []safejs.Value) (ret any) {
	defer func() {
		if p := recover(); p != nil {
			browser.ConsoleError("apply: " + panicText(p))
		}
	}()
	if len(args) == 0 {
		return nil
	}
	s, err := args[0].String()
	if err != nil {
		return nil
	}
	b.enqueue(job{batch: s})
	return nil
}

// job is a batch of calls from the loader, or work of the SDK's own (a
// session timer, a message from another tab) that must be ordered with the
// calls: everything that touches the tracker runs on the worker.
type job struct {
	batch string
	fn    func()
}

// maxRunBytes bounds the text of the batches run together (about 500
// calls), so that a burst queued as many batches is still stored in chunks.
const maxRunBytes = 128 << 10

func (b *bridge) enqueue(j job) {
	b.mu.Lock()
	b.pending = append(b.pending, j)
	b.mu.Unlock()
	select {
	case b.signal <- struct{}{}:
	default:
	}
}

// later runs fn on the worker, after the calls already queued.
func (b *bridge) later(fn func()) { b.enqueue(job{fn: fn}) }

func (b *bridge) work() {
	for range b.signal {
		for {
			b.mu.Lock()
			jobs := b.pending
			b.pending = nil
			b.mu.Unlock()
			if len(jobs) == 0 {
				break
			}
			// Batches queued while the last ones were stored run as one:
			// the busier the page, the more calls share a transaction.
			for i := 0; i < len(jobs); {
				if jobs[i].fn != nil {
					b.runFunc(jobs[i].fn)
					i++
					continue
				}
				k, size := i, 0
				for k < len(jobs) && jobs[k].fn == nil && (k == i || size+len(jobs[k].batch) <= maxRunBytes) {
					size += len(jobs[k].batch)
					k++
				}
				b.run(jobs[i:k])
				clear(jobs[i:k]) // let the texts go
				i = k
			}
		}
	}
}

// call is one call of a batch.
type call struct {
	id     int64
	method string
	time   float64
	args   []byte
}

// results collects the answers of one batch, as the JSON the loader reads.
type results struct{ buf []byte }

func (r *results) value(id int64, v []byte) {
	r.open(id)
	if v != nil {
		r.buf = append(r.buf, `,"v":`...)
		r.buf = append(r.buf, v...)
	}
	r.buf = append(r.buf, '}')
}

func (r *results) fail(id int64, class, msg string) {
	r.open(id)
	r.buf = append(r.buf, `,"e":{"c":`...)
	r.buf = jsonx.AppendString(r.buf, class)
	r.buf = append(r.buf, `,"m":`...)
	r.buf = jsonx.AppendString(r.buf, msg)
	r.buf = append(r.buf, "}}"...)
}

func (r *results) open(id int64) {
	if len(r.buf) == 0 {
		r.buf = append(r.buf, '[')
	} else {
		r.buf = append(r.buf, ',')
	}
	r.buf = append(r.buf, `{"i":`...)
	r.buf = strconv.AppendInt(r.buf, id, 10)
}

// send hands the results to the loader.
func (b *bridge) send(r *results) {
	if len(r.buf) == 0 {
		return
	}
	r.buf = append(r.buf, ']')
	if _, err := b.done.Invoke(string(r.buf)); err != nil {
		browser.ConsoleError("done: " + err.Error())
	}
	r.buf = r.buf[:0]
}

// run applies batches of calls in order, recovering from a panic so that
// one bad call can never stop the module: the calls not yet answered are
// rejected.
func (b *bridge) run(batches []job) {
	var r results
	var calls []call
	bad := 0
	for _, j := range batches {
		env, n := tracker.ParseBatch([]byte(j.batch))
		bad += n
		for _, e := range env {
			calls = append(calls, call{id: e.ID, method: e.Method, time: e.Call.Time, args: e.Call.Args})
		}
	}
	if bad > 0 {
		browser.ConsoleError("the loader sent " + strconv.Itoa(bad) + " unreadable calls")
	}
	answered := 0
	defer func() {
		if p := recover(); p != nil {
			for _, c := range calls[answered:] {
				r.fail(c.id, "Error", "internal error: "+panicText(p))
			}
			b.send(&r)
		}
	}()
	for answered < len(calls) {
		k := b.dispatch(calls[answered:], &r)
		answered += k
		if k == maxCallsPerApply && answered < len(calls) {
			b.send(&r) // a burst: answer each stored chunk at once
		}
	}
	b.send(&r)
}

// runFunc runs internal work, recovering from a panic like run.
func (b *bridge) runFunc(fn func()) {
	defer func() {
		if p := recover(); p != nil {
			browser.ConsoleError("internal error: " + panicText(p))
		}
	}()
	fn()
}

func panicText(p any) string {
	switch v := p.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "panic"
}

// emitEvent tells the loader about delivery health: type is "flush",
// "error" or "drop", detail a JSON object.
func (b *bridge) emitEvent(typ string, detail []byte) { b.emitRaw(typ, detail) }

// emitRaw sends the loader an event; types starting with "_" are the
// loader's own (the close path's mirror) and their detail is not JSON.
func (b *bridge) emitRaw(typ string, detail []byte) {
	if _, err := b.emit.Invoke(typ, string(detail)); err != nil {
		browser.ConsoleError("emit: " + err.Error())
	}
}
