package sdk

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// t0 is the fake clock's start: 2025-11-28 08:53:20 UTC.
var t0 = time.UnixMilli(1764320000000)

// fakeClock is a clock whose time moves only by Advance, which runs the
// timers that come due, in order.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	// settle, if set, waits until the SDK's goroutines have nothing left
	// to do (newEnv sets env.settle). Advance calls it before it moves the
	// time and after each timer it runs: the SDK's work takes no fake time.
	// Without it the clock could jump while the SDK is between reading the
	// time and arming a timer with a delay counted from it (runner.arm,
	// sessions.arm), and the timer would fire that jump late.
	settle func()
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves the time by d, running each timer due by then at its time.
// With settle, what a timer starts finishes at that time, and Advance
// returns with the SDK idle.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	settle := c.settle
	c.mu.Unlock()
	if settle != nil {
		settle()
	}
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f()
		if settle != nil {
			settle()
		}
	}
}

// fakeSender answers batches with reply, by default every command
// confirmed, and keeps what it was sent.
type fakeSender struct {
	mu     sync.Mutex
	bodies [][]byte
	reply  func(body []byte) (flush.Response, error)
}

func (s *fakeSender) Send(_ ctxlite.Context, body []byte) (flush.Response, error) {
	s.mu.Lock()
	s.bodies = append(s.bodies, body)
	reply := s.reply
	s.mu.Unlock()
	if reply != nil {
		return reply(body)
	}
	return confirmAll(body), nil
}

// confirmAll answers body's every command with success:true.
func confirmAll(body []byte) flush.Response {
	cmds, _, _ := wire.ParseBatch(body)
	res := make([]wire.Result, len(cmds))
	for i := range res {
		res[i].OK = true
	}
	return flush.Response{Status: 200, Body: wire.AppendResponse(nil, res, 1, 2)}
}

// requests returns the number of requests sent so far.
func (s *fakeSender) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// commands returns the commands sent so far, decoded.
func (s *fakeSender) commands(t *testing.T) []wire.Command {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []wire.Command
	for _, b := range s.bodies {
		cmds, errs, err := wire.ParseBatch(b)
		if err != nil {
			t.Fatalf("sent an unreadable body: %v", err)
		}
		for i, c := range cmds {
			if errs[i] != nil {
				t.Fatalf("sent an invalid command %d of %s: %v", i, b, errs[i])
			}
			out = append(out, c)
		}
	}
	return out
}

// eventTypes lists the event types sent so far, in order; a customers
// command shows as "customers".
func (s *fakeSender) eventTypes(t *testing.T) []string {
	var out []string
	for _, c := range s.commands(t) {
		if c.Name == wire.CommandCustomer {
			out = append(out, "customers")
		} else {
			out = append(out, c.EventType)
		}
	}
	return out
}

type report struct {
	kind   string
	detail string
}

// fakeOut collects answers and reports.
type fakeOut struct {
	mu      sync.Mutex
	answers map[int64]Answer
	batches [][]int64 // the ids of each Answers call, in order
	flushed []int     // len(batches) at each Flush
	reports []report
	changed chan struct{}
}

func newFakeOut() *fakeOut {
	return &fakeOut{answers: map[int64]Answer{}, changed: make(chan struct{}, 1)}
}

func (o *fakeOut) Answers(as []Answer) {
	o.mu.Lock()
	var ids []int64
	for _, a := range as {
		o.answers[a.ID] = a
		ids = append(ids, a.ID)
	}
	o.batches = append(o.batches, ids)
	o.mu.Unlock()
	o.poke()
}

func (o *fakeOut) Flush() {
	o.mu.Lock()
	o.flushed = append(o.flushed, len(o.batches))
	o.mu.Unlock()
}

func (o *fakeOut) Report(kind string, detail []byte) {
	o.mu.Lock()
	o.reports = append(o.reports, report{kind, string(detail)})
	o.mu.Unlock()
	o.poke()
}

func (o *fakeOut) poke() {
	select {
	case o.changed <- struct{}{}:
	default:
	}
}

// of returns the reports of kind.
func (o *fakeOut) of(kind string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, r := range o.reports {
		if r.kind == kind {
			out = append(out, r.detail)
		}
	}
	return out
}

type fakeLog struct {
	mu     sync.Mutex
	warns  []string
	errors []string
	debug  []string
}

func (l *fakeLog) Warn(msg string)  { l.mu.Lock(); l.warns = append(l.warns, msg); l.mu.Unlock() }
func (l *fakeLog) Error(msg string) { l.mu.Lock(); l.errors = append(l.errors, msg); l.mu.Unlock() }
func (l *fakeLog) Debug(msg string) { l.mu.Lock(); l.debug = append(l.debug, msg); l.mu.Unlock() }

type fakeTabs struct {
	mu     sync.Mutex
	posts  []string
	closed bool
}

func (f *fakeTabs) Post(msg string) { f.mu.Lock(); f.posts = append(f.posts, msg); f.mu.Unlock() }
func (f *fakeTabs) Close()          { f.mu.Lock(); f.closed = true; f.mu.Unlock() }

// count is how many of the messages posted were msg.
func (f *fakeTabs) count(msg string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.posts {
		if m == msg {
			n++
		}
	}
	return n
}

// tabHub is a BroadcastChannel between SDKs: what one member posts, every
// other open member hears.
type tabHub struct {
	mu      sync.Mutex
	members []*hubTab
}

type hubTab struct {
	hub    *tabHub
	on     func(string)
	closed bool
}

// join is a Platform.JoinTabs on the hub.
func (h *tabHub) join(_ string, on func(string)) Tabs {
	t := &hubTab{hub: h, on: on}
	h.mu.Lock()
	h.members = append(h.members, t)
	h.mu.Unlock()
	return t
}

func (t *hubTab) Post(msg string) {
	t.hub.mu.Lock()
	var to []func(string)
	for _, m := range t.hub.members {
		if m != t && !m.closed {
			to = append(to, m.on)
		}
	}
	t.hub.mu.Unlock()
	for _, on := range to {
		on(msg)
	}
}

func (t *hubTab) Close() { t.hub.mu.Lock(); t.closed = true; t.hub.mu.Unlock() }

// env is an SDK on fakes.
type env struct {
	t      *testing.T
	s      *SDK
	clock  *fakeClock
	store  queue.Store
	sender *fakeSender
	out    *fakeOut
	log    *fakeLog
	tabs   *fakeTabs
	lock   chanLock // the send lock, as Web Locks would hold it
	nextID int64    // for calls
	ids    int      // for NewID
	idsMu  sync.Mutex
}

// newEnv starts an SDK on fakes; change fields of p before it starts with
// opts.
func newEnv(t *testing.T, opts ...func(*Platform)) *env {
	e := &env{t: t, clock: &fakeClock{now: t0}, store: queue.NewMemory(), sender: &fakeSender{},
		out: newFakeOut(), log: &fakeLog{}, tabs: &fakeTabs{}, lock: make(chanLock, 1)}
	p := Platform{
		OpenStore: func(ctxlite.Context, string) (queue.Store, error) { return e.store, nil },
		NewSender: func(string, string) flush.Sender { return e.sender },
		WithLock: func(ctx ctxlite.Context, _ string, fn func()) (bool, error) {
			e.lock.Lock()
			defer e.lock.Unlock()
			fn()
			return true, nil
		},
		JoinTabs:    func(string, func(string)) Tabs { return e.tabs },
		Device:      tracker.Device{UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36", Language: "en"},
		MemoryBytes: func() int { return 4 << 20 },
		Online:      func() bool { return true },
		Clock:       Clock{Now: e.clock.Now, AfterFunc: e.clock.AfterFunc},
		Jitter:      func() float64 { return 0 },
		NewID: func() string {
			e.idsMu.Lock()
			defer e.idsMu.Unlock()
			e.ids++
			return "id-" + strconv.Itoa(e.ids)
		},
		Log: e.log,
		Out: e.out,
	}
	for _, o := range opts {
		o(&p)
	}
	e.s = New(p)
	e.clock.settle = e.settle
	t.Cleanup(e.stop)
	return e
}

// page is the page state configure reports: a visible page.
const page = `{"url":"https://shop.example/?utm_source=news","referrer":"","visible":true,"online":true,"screenWidth":1280,"screenHeight":720}`

// configure configures the SDK with cfg (a JSON object's members, without
// braces) and returns configure's value.
func (e *env) configure(cfg string) string {
	e.t.Helper()
	a := e.call("configure", `{"config":{"projectToken":"p","authorization":"Token k","baseUrl":"https://api.example"`+cfg+`},"page":`+page+`}`)
	if a.Err != nil {
		e.t.Fatalf("configure: %v", a.Err)
	}
	return string(a.Value)
}

// send applies a call and returns its id without waiting.
func (e *env) send(method, args string) int64 {
	e.nextID++
	e.s.Apply([]tracker.Call{{ID: e.nextID, Method: method, Args: []byte(args), TimeMs: unixMs(e.clock.Now())}})
	return e.nextID
}

// call applies a call and waits for its answer.
func (e *env) call(method, args string) Answer {
	e.t.Helper()
	return e.answer(e.send(method, args))
}

// answer waits for the answer to call id.
func (e *env) answer(id int64) Answer {
	e.t.Helper()
	var a Answer
	e.eventually("the answer to call "+strconv.FormatInt(id, 10), func() bool {
		e.out.mu.Lock()
		defer e.out.mu.Unlock()
		var ok bool
		a, ok = e.out.answers[id]
		return ok
	})
	return a
}

// eventually waits up to 5 s for cond.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		select {
		case <-e.out.changed:
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// queued returns the number of records in the store.
func (e *env) queued() int {
	n, err := e.store.Len(ctxlite.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// field reads a member of a JSON object, as text.
func field(t *testing.T, obj, name string) string {
	t.Helper()
	v, ok, err := jsonx.Lookup([]byte(obj), name)
	if err != nil || !ok {
		t.Fatalf("%s has no %q: %v", obj, name, err)
	}
	return strings.Trim(string(v), `"`)
}

// timerAt reports whether a timer is armed to fire at at.
func (c *fakeClock) timerAt(at time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.timers {
		if !t.stopped && t.at.Equal(at) {
			return true
		}
	}
	return false
}

// settle waits until the SDK has done all it was given: every goroutine
// of the test's synctest bubble (the SDK's worker and flush loop, a
// flushData or keepalive answer in progress, the fakes) is blocked, so
// none of them is about to act. The fake clock's timers run only in
// Advance, so what a test sees after settle stays so until it advances the
// clock or calls again: a test that says nothing was sent says it after
// settle, never after a sleep. Every test with an env runs in a bubble
// (synctest.Test): settle panics outside one.
func (e *env) settle() { synctest.Wait() }

// stop ends the SDK's goroutines once it is idle (a bubble ends only when
// all its goroutines have).
func (e *env) stop() {
	synctest.Wait()
	close(e.s.signal)
	if e.s.app != nil {
		close(e.s.app.runner.signal)
	}
}

// chanLock is a mutex on a channel: a goroutine waiting for it is durably
// blocked, as synctest.Wait needs (one waiting for a sync.Mutex is not).
type chanLock chan struct{}

func (l chanLock) Lock()   { l <- struct{}{} }
func (l chanLock) Unlock() { <-l }
