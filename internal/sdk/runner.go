package sdk

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/sdk/closepath"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/flush/schedule"
)

// runner feeds the flush scheduler with triggers and flushes on its own
// goroutine when it says so. The page-close path is the loader's: it runs
// on the page, where pagehide happens (closepath.go).
type runner struct {
	a     *app
	fl    *flush.Flusher
	sched *schedule.Scheduler

	pending atomic.Uint32 // a bit per schedule.Trigger waiting for the loop
	dropped atomic.Int64  // records given up: rejected by the server or evicted
	signal  chan struct{}
	online  atomic.Bool

	quit    chan struct{} // closed by stop
	exited  chan struct{} // closed when the loop has ended
	stopped atomic.Bool
	started atomic.Bool
	sendCtx ctxlite.Context // ends at stop: a wait for another tab's send ends with it
	endSend func()

	lockName string // the Web Lock that makes one tab of the origin the sender

	timersMu sync.Mutex
	stopWake func() bool // the period timer (Decision.Wake)
	stopDue  func() bool // the retry timer (Result.Next)
}

func newRunner(a *app) *runner {
	cfg, p := a.cfg, a.s.p
	r := &runner{a: a, signal: make(chan struct{}, 1), lockName: "exponea-send:" + cfg.DBName,
		quit: make(chan struct{}), exited: make(chan struct{})}
	r.sendCtx, r.endSend = ctxlite.Cancel(ctxlite.Background())
	sender := p.NewSender(closepath.BatchURL(cfg.BaseURL, cfg.ProjectToken), cfg.Authorization)
	r.fl = flush.New(a.store, sender, flush.Config{MaxRetries: cfg.FlushMaxRetries}, p.Clock.Now, p.Jitter,
		flush.Observer{OnFlush: r.onFlush, OnError: r.onError, OnDrop: r.onDrop, OnAnswered: r.onAnswered})
	r.sched = schedule.New(cfg.FlushMode, cfg.FlushPeriod)
	return r
}

func (r *runner) setMode(m schedule.Mode)   { r.sched.SetMode(m); r.trigger(schedule.Timer) }
func (r *runner) setPeriod(d time.Duration) { r.sched.SetPeriod(d); r.trigger(schedule.Timer) }

// start runs the loop; records left by earlier visits go out at once in
// immediate mode, with the first period in period mode.
func (r *runner) start() {
	r.started.Store(true)
	r.online.Store(r.a.online())
	r.a.s.goSafe("the flush loop", r.loop)
	r.trigger(schedule.Timer) // immediate: flush now; period: start the clock
}

// setOnline follows the network state.
func (r *runner) setOnline(on bool) {
	r.online.Store(on)
	if on {
		r.trigger(schedule.Online)
	} else {
		r.trigger(schedule.Offline)
	}
}

// trigger queues t for the loop without ever blocking.
func (r *runner) trigger(t schedule.Trigger) {
	for {
		old := r.pending.Load()
		if r.pending.CompareAndSwap(old, old|1<<uint(t)) {
			break
		}
	}
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

func (r *runner) loop() {
	defer close(r.exited)
	for {
		select {
		case <-r.quit:
			return
		case _, ok := <-r.signal:
			if !ok || r.stopped.Load() {
				return
			}
			r.step(r.pending.Swap(0))
		}
	}
}

// stop ends the loop for good (SDK.Close) and returns once it has: a send
// under way is finished and its answer taken, so what it confirmed is
// deleted rather than sent again by the next page; a wait for another
// tab's send ends at once. The timers stop.
func (r *runner) stop() {
	if !r.stopped.CompareAndSwap(false, true) {
		return
	}
	r.endSend()
	close(r.quit)
	if r.started.Load() {
		<-r.exited
	}
	r.arm(&r.stopWake, time.Time{}, schedule.Timer)
	r.arm(&r.stopDue, time.Time{}, schedule.Due)
}

// step acts on the triggers in bits. A panic is reported and the loop goes
// on: the next trigger flushes again.
func (r *runner) step(bits uint32) {
	defer func() {
		if p := recover(); p != nil {
			r.a.s.internalError("flushing", p)
		}
	}()
	clock := r.a.s.p.Clock
	want := false
	for t := schedule.Tracked; t <= schedule.Hidden; t++ {
		if bits&(1<<uint(t)) == 0 {
			continue
		}
		d := r.sched.On(t, clock.Now(), r.online.Load())
		want = want || d.Flush
		r.arm(&r.stopWake, d.Wake, schedule.Timer) // zero outside period mode: no timer
	}
	if !want || !r.a.granted() {
		return
	}
	res, err := r.send(false)
	if r.a.cfg.Debug {
		r.a.debugFlush(res, err)
	}
	r.arm(&r.stopDue, res.Next, schedule.Due)
}

// arm replaces the timer *stop with one that fires t at at, or with none
// when at is zero.
func (r *runner) arm(stop *func() bool, at time.Time, t schedule.Trigger) {
	r.timersMu.Lock()
	defer r.timersMu.Unlock()
	if *stop != nil {
		(*stop)()
		*stop = nil
	}
	if !at.IsZero() {
		clock := r.a.s.p.Clock
		*stop = clock.AfterFunc(max(at.Sub(clock.Now()), 0), func() { r.trigger(t) })
	}
}

// flushNow is flushData(): a forced flush in any mode.
func (r *runner) flushNow() (flush.Result, error) {
	d := r.sched.On(schedule.Manual, r.a.s.p.Clock.Now(), r.online.Load())
	if !d.Flush || !r.a.granted() {
		ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
		defer cancel()
		n, err := r.a.store.Len(ctx)
		return flush.Result{Kept: n}, err
	}
	res, err := r.send(true)
	if !res.Next.IsZero() {
		r.trigger(schedule.Due) // the loop arms its retry timer from this
	}
	return res, err
}

// lockWait bounds the wait for another tab's send to finish.
const lockWait = 2 * time.Minute

// send flushes while holding the origin's send lock, so that one tab sends
// at a time and no two tabs put the same records on the wire at once. A
// tab that tracks while another sends queues for the lock and flushes after
// it, so nothing waits for a timer. A tab that dies mid-send loses the lock
// with it; the records it was sending are still queued (only a confirmation
// deletes them) and the next holder sends them. Without locks every tab
// sends on its own and the collector's command_id dedupe keeps delivery
// exactly-once.
func (r *runner) send(force bool) (flush.Result, error) {
	var (
		res flush.Result
		err error
	)
	ctx, cancel := ctxlite.Timeout(r.sendCtx, lockWait)
	defer cancel()
	held, lerr := r.a.s.p.WithLock(ctx, r.lockName, func() {
		if !r.stopped.Load() { // the lock came after stop
			res, err = r.fl.Flush(ctxlite.Background(), force)
		}
	})
	switch {
	case !held && lerr == nil:
		res, err = r.fl.Flush(ctxlite.Background(), force)
	case lerr != nil:
		err = lerr
		res.Next = r.a.s.p.Clock.Now().Add(time.Second) // try again soon
	}
	return res, err
}
