package sdk

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/exponea-wasm/tracker/internal/tracker"
)

// SDK is the SDK of one page: it applies the page's calls in order on one
// goroutine, answers them through Platform.Out, and once configured runs
// the flush loop and the session timers.
type SDK struct {
	p      Platform
	online atomic.Bool // the network state of the global the SDK runs in

	mu      sync.Mutex
	pending []job
	signal  chan struct{}
	closed  bool // Close was called: no call is taken any more

	app *app // set by configure; only the worker goroutine touches it
}

// job is a batch of calls from the page, or work of the SDK's own (a
// session timer, a message from another tab) that must be ordered with the
// calls: everything that touches the tracker runs on the worker.
type job struct {
	calls []tracker.Call
	size  int // bytes of the calls' arguments
	fn    func()
}

// New returns an SDK running on p; nothing happens until the page's first
// call (configure).
func New(p Platform) *SDK {
	s := &SDK{p: p, signal: make(chan struct{}, 1)}
	s.online.Store(p.Online())
	s.goSafe("worker", s.work)
	return s
}

// Apply queues the page's calls, in the order made, and returns at once:
// it is called from a JavaScript callback, which must never wait.
func (s *SDK) Apply(calls []tracker.Call) {
	size := 0
	for _, c := range calls {
		size += len(c.Args)
	}
	s.enqueue(job{calls: calls, size: size})
}

// SetOnline follows the network events of the global the SDK runs in.
func (s *SDK) SetOnline(online bool) {
	s.online.Store(online)
	s.later(func() {
		if s.app != nil {
			s.app.runner.setOnline(online)
		}
	})
}

// later runs fn on the worker, after the calls already queued.
func (s *SDK) later(fn func()) { s.enqueue(job{fn: fn}) }

func (s *SDK) enqueue(j job) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.pending = append(s.pending, j)
	s.mu.Unlock()
	s.wake()
}

func (s *SDK) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// Close ends the SDK of a page that has gone (or gone into the
// back/forward cache), when the runtime outlives the page — a SharedWorker
// serves the origin's pages, each with an SDK of its own. It returns at
// once; then:
//   - the calls not yet applied are dropped unanswered: the page's close
//     path sent them or its journal keeps them, for the next page to hand
//     over;
//   - the work under way ends, and a send under way finishes and its
//     answer is taken: the records it confirmed are deleted, not resent;
//   - the timers stop, and the tab channel and the store are closed.
//
// Nothing is answered or reported after that; calls made after Close are
// dropped.
func (s *SDK) Close() { s.end(false) }

// Finish is Close for a page that leaves what it made to the Go side (its
// host outlives it, pagehide): the calls received are applied first, then
// what the page's flush mode sends at close is sent (every mode but
// manual), then the SDK closes as Close does. It returns at once.
func (s *SDK) Finish() { s.end(true) }

// end is Close (the calls not applied dropped) or, with finish, Finish:
// the worker's last jobs, once.
func (s *SDK) end(finish bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if !finish {
		s.pending = s.pending[:0:0]
	}
	s.pending = append(s.pending, job{fn: func() {
		if s.app == nil {
			return
		}
		if finish {
			s.app.finish()
		}
		s.app.shutdown()
	}})
	s.mu.Unlock()
	s.wake()
}

// maxRunBytes bounds the arguments of the batches run together (about
// 500 calls), so that a burst queued as many batches is still stored in
// chunks.
const maxRunBytes = 128 << 10

func (s *SDK) work() {
	for range s.signal {
		for {
			s.mu.Lock()
			jobs, closed := s.pending, s.closed
			s.pending = nil
			s.mu.Unlock()
			if len(jobs) == 0 {
				if closed {
					return // shutdown has run
				}
				break
			}
			// Batches queued while the last ones were stored run as one:
			// the busier the page, the more calls share a transaction.
			for i := 0; i < len(jobs); {
				if jobs[i].fn != nil {
					s.runFunc(jobs[i].fn)
					i++
					continue
				}
				k, size := i, 0
				var calls []tracker.Call
				for k < len(jobs) && jobs[k].fn == nil && (k == i || size+jobs[k].size <= maxRunBytes) {
					size += jobs[k].size
					calls = append(calls, jobs[k].calls...)
					k++
				}
				s.run(calls)
				clear(jobs[i:k]) // let the calls go
				i = k
			}
		}
	}
}

// run applies calls in order, recovering from a panic so that one bad call
// can never stop the SDK: the calls not yet answered are rejected, and the
// page is told through an error report.
func (s *SDK) run(calls []tracker.Call) {
	var out answers
	answered := 0
	defer func() {
		if p := recover(); p != nil {
			err := s.internalError("applying "+calls[answered].Method, p)
			for _, c := range calls[answered:] {
				out.add(c.ID, nil, err)
			}
			s.p.Out.Answers(out)
		}
	}()
	for answered < len(calls) {
		k := s.dispatch(calls[answered:], &out)
		answered += k
		// A burst: answer each stored chunk at once. configure too, and
		// delivered at once (Out.Flush): the page's ready need not wait for
		// the calls handed over with it, nor for the work it leaves for
		// after its answer (later).
		configured := calls[answered-1].Method == "configure"
		if k == MaxCallsPerApply && answered < len(calls) || configured {
			s.p.Out.Answers(out)
			out = nil
		}
		if configured {
			s.p.Out.Flush()
		}
	}
	if len(out) > 0 {
		s.p.Out.Answers(out)
	}
}

// runFunc runs internal work, recovering from a panic like run.
func (s *SDK) runFunc(fn func()) {
	defer func() {
		if p := recover(); p != nil {
			s.internalError("internal work", p)
		}
	}()
	fn()
}

// goSafe runs fn on its own goroutine, recovering from a panic: the SDK
// must never take the module down with it.
func (s *SDK) goSafe(what string, fn func()) {
	go func() {
		defer func() {
			if p := recover(); p != nil {
				s.internalError(what, p)
			}
		}()
		fn()
	}()
}

// internalError reports a recovered panic to the developer and to the
// page's error listeners, and returns it as an error.
func (s *SDK) internalError(what string, p any) error {
	err := &InternalError{What: what, Panic: panicText(p)}
	s.p.Log.Error(err.Error())
	s.p.Out.Report(ReportError, errorDetail(err.Error(), false, 0))
	return err
}

// InternalError is a bug of the SDK's, recovered: a panic while doing What.
type InternalError struct {
	What  string
	Panic string
}

func (e *InternalError) Error() string { return "internal error while " + e.What + ": " + e.Panic }

func panicText(p any) string {
	switch v := p.(type) {
	case error:
		return v.Error()
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	}
	return "panic"
}
