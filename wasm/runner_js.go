//go:build js && wasm

package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// runner feeds the flush scheduler with triggers and flushes on its own
// goroutine when it says so. The page-close path is the loader's: it runs on
// the page, where pagehide happens (see js/src/close.js).
type runner struct {
	app   *app
	b     *bridge
	fl    *flush.Flusher
	sched *flush.Scheduler

	pending atomic.Uint32 // bit per flush.Trigger waiting for the loop
	dropped atomic.Int64  // records given up: rejected by the server or evicted
	signal  chan struct{}
	online  atomic.Bool

	lockName string // the Web Lock that makes one tab of the origin the sender
	closeURL string // where the loader's keepalive requests go
}

func newRunner(a *app, b *bridge) *runner {
	cfg := a.cfg
	r := &runner{app: a, b: b, signal: make(chan struct{}, 1), lockName: "exponea-send:" + cfg.DBName}
	endpoint := cfg.BaseURL + "/track/v2/projects/" + escape(cfg.ProjectToken) + "/batch"
	r.closeURL = closeURL(endpoint, cfg)
	r.fl = flush.New(a.store, browser.Fetch{URL: endpoint, Authorization: cfg.Authorization},
		flush.Config{MaxRetries: cfg.FlushMaxRetries}, time.Now, jitter,
		flush.Observer{OnFlush: r.onFlush, OnError: r.onError, OnDrop: r.onDrop})
	r.sched = flush.NewScheduler(flush.Mode(cfg.FlushMode), time.Duration(cfg.FlushPeriod*float64(time.Millisecond)))
	return r
}

// closeURL carries a public key in the query, since the close path sends
// without headers to avoid a CORS preflight.
func closeURL(endpoint string, cfg tracker.Config) string {
	const prefix = "Token "
	if len(cfg.Authorization) > len(prefix) && cfg.Authorization[:len(prefix)] == prefix {
		return endpoint + "?access_token=" + escape(cfg.Authorization[len(prefix):])
	}
	return endpoint
}

// escape percent-encodes everything but RFC 3986's unreserved characters,
// which is right for a path segment and a query value alike (net/url would
// cost more binary than this function).
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func (r *runner) mode() flush.Mode          { return r.sched.Mode() }
func (r *runner) period() time.Duration     { return r.sched.Period() }
func (r *runner) setMode(m flush.Mode)      { r.sched.SetMode(m); r.trigger(flush.Timer) }
func (r *runner) setPeriod(d time.Duration) { r.sched.SetPeriod(d); r.trigger(flush.Timer) }

// start listens to the network state and starts the loop; records left by
// earlier visits go out at once in immediate mode, with the first period in
// period mode. ("window" is the global object, a Worker's too.)
func (r *runner) start() {
	r.online.Store(browser.Online() && r.app.pageState().Online)
	listen := func(target, event string, fn func()) {
		if _, err := browser.Listen(target, event, fn); err != nil {
			browser.ConsoleWarn("cannot listen to " + event + ": " + err.Error())
		}
	}
	listen("window", "online", func() { r.setOnline(true) })
	listen("window", "offline", func() { r.setOnline(false) })
	go r.loop()
	r.trigger(flush.Timer) // immediate: flush now; period: start the clock

}

// setOnline follows the network state, as this global's events or the
// loader's page reports tell it.
func (r *runner) setOnline(on bool) {
	r.online.Store(on)
	if on {
		r.trigger(flush.Online)
	} else {
		r.trigger(flush.Offline)
	}
}

// trigger queues t for the loop without ever blocking.
func (r *runner) trigger(t flush.Trigger) {
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
	wake, due := stoppedTimer(), stoppedTimer()
	for {
		var bits uint32
		select {
		case <-r.signal:
			bits = r.pending.Swap(0)
		case <-wake.C:
			bits = 1 << uint(flush.Timer)
		case <-due.C:
			bits = 1 << uint(flush.Due)
		}
		want := false
		for t := flush.Tracked; t <= flush.Due; t++ {
			if bits&(1<<uint(t)) == 0 {
				continue
			}
			d := r.sched.On(t, time.Now(), r.online.Load())
			want = want || d.Flush
			resetTimer(wake, d.Wake) // zero outside period mode: no timer
		}
		if !want {
			continue
		}
		res, _ := r.send(false)
		resetTimer(due, res.Next)
	}
}

// flushNow is flushData(): a forced flush in any mode.
func (r *runner) flushNow() (flush.Result, error) {
	d := r.sched.On(flush.Manual, time.Now(), r.online.Load())
	if !d.Flush {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		n, err := r.app.store.Len(ctx)
		return flush.Result{Kept: n}, err
	}
	res, err := r.send(true)
	if !res.Next.IsZero() {
		r.trigger(flush.Due) // the loop arms its retry timer from this
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
// deletes them) and the next holder sends them. Without the Web Locks API
// every tab sends on its own and the collector's command_id dedupe keeps
// delivery exactly-once.
func (r *runner) send(force bool) (flush.Result, error) {
	var (
		res flush.Result
		err error
	)
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	ok, lerr := browser.WithLock(ctx, r.lockName, func() { res, err = r.fl.Flush(context.Background(), force) })
	switch {
	case !ok:
		res, err = r.fl.Flush(context.Background(), force)
	case lerr != nil:
		err = lerr
		res.Next = time.Now().Add(time.Second) // try again soon
	}
	return res, err
}

func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// resetTimer arms t for at, or stops it when at is zero.
func resetTimer(t *time.Timer, at time.Time) {
	t.Stop()
	if !at.IsZero() {
		t.Reset(max(time.Until(at), 0))
	}
}
