package sdk

import (
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"

	"github.com/exponea-wasm/tracker/internal/session"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// sessions drives the automatic session rules (internal/session) from the
// page's visibility and two timers: a heartbeat while the page is visible,
// and a tick at the time the shared session would expire, so that a tab
// still alive in the background ends the session on time. Transitions run
// on the SDK's worker, in order with the page's calls.
type sessions struct {
	a   *app
	cfg session.Config

	mu        sync.Mutex
	visible   bool
	heartbeat func() bool // stops the heartbeat timer
	tick      func() bool // stops the expiry timer
	stopped   bool        // the SDK is closed: no timer is armed again
}

func newSessions(a *app) *sessions { return &sessions{a: a, cfg: a.cfg.Session} }

// start runs on the worker during configure.
func (s *sessions) start() {
	s.mu.Lock()
	s.visible = s.a.pageState().Visible
	s.mu.Unlock()
	if s.visible {
		s.step(session.Shown)
	}
}

// shown and hidden follow the loader's visibility reports; they only queue
// work for the worker.
func (s *sessions) shown() {
	s.mu.Lock()
	s.visible = true
	s.mu.Unlock()
	s.a.s.later(func() {
		s.a.refresh()
		s.step(session.Shown)
	})
}

func (s *sessions) hidden() {
	s.mu.Lock()
	s.visible = false
	stop(s.heartbeat)
	s.mu.Unlock()
	s.a.s.later(func() { s.step(session.Hidden) })
}

// step applies a transition on the worker and arms the timers.
func (s *sessions) step(fn tracker.Step) {
	if !s.cfg.Automatic || s.a.denied() {
		return
	}
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	recs, st, err := s.a.tracker.Session(ctx, fn, s.now(), s.a.pageState().Page)
	cancel()
	if err != nil {
		s.a.s.p.Log.Warn("session: " + err.Error())
	}
	s.a.stored(recs)
	s.arm(st)
}

func (s *sessions) now() float64 { return unixMs(s.a.s.p.Clock.Now()) }

func (s *sessions) arm(st session.State) {
	clock, later := s.a.s.p.Clock, s.a.s.later
	s.mu.Lock()
	defer s.mu.Unlock()
	stop(s.tick)
	s.tick = nil
	if s.stopped {
		return
	}
	if next := session.NextTick(s.cfg, st); next > 0 {
		wait := time.Duration(next-s.now())*time.Millisecond + 50*time.Millisecond
		s.tick = clock.AfterFunc(max(wait, 0), func() { later(func() { s.step(session.Tick) }) })
	}
	stop(s.heartbeat)
	s.heartbeat = nil
	if s.visible && st.Open {
		s.heartbeat = clock.AfterFunc(session.HeartbeatInterval(s.cfg), func() { later(func() { s.step(session.Active) }) })
	}
}

// stop stops both timers for good (SDK.Close).
func (s *sessions) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	stop(s.tick)
	stop(s.heartbeat)
	s.tick, s.heartbeat = nil, nil
}

func stop(f func() bool) {
	if f != nil {
		f()
	}
}

// anonymize switches this tab, and through the channel every other tab, to
// a new customer.
func (a *app) anonymize(c tracker.Call) error {
	if a.denied() {
		return nil
	}
	return a.once(c.Entry, func() error {
		ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
		defer cancel()
		recs, err := a.tracker.Anonymize(ctx, c.TimeMs, a.pageState().Page)
		a.stored(recs)
		a.tabs.Post(tabChanged)
		a.identityChanged()
		a.sessions.step(session.Tick) // re-arm the timers for the new session
		return err
	})
}

// manualSession is trackSessionStart / trackSessionEnd.
func (a *app) manualSession(c tracker.Call) error {
	at, err := tracker.SessionTime(c.Method, c.Args, c.TimeMs)
	if err != nil || a.denied() {
		return err
	}
	return a.once(c.Entry, func() error {
		ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
		defer cancel()
		recs, warn, err := a.tracker.ManualSession(ctx, c.Method == "trackSessionStart", at, a.pageState().Page)
		if warn != "" {
			a.s.p.Log.Warn(c.Method + ": " + string(warn))
		}
		a.stored(recs)
		return err
	})
}

// refresh rereads the identity another tab may have changed.
func (a *app) refresh() {
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	if _, err := a.tracker.Refresh(ctx); err != nil {
		a.s.p.Log.Warn("refresh: " + err.Error())
	}
	a.followConsent(ctx)
	a.identityChanged()
}
