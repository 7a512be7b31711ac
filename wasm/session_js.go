//go:build js && wasm

package main

import (
	"context"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/session"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// sessions drives the automatic session rules (internal/session) from the
// page's visibility and two timers: a heartbeat while the page is visible,
// and a tick at the time the shared session would expire, so that a tab
// still alive in the background ends the session on time. Transitions run
// on the bridge's worker, in order with the page's calls.
type sessions struct {
	a   *app
	b   *bridge
	cfg session.Config

	mu        sync.Mutex
	visible   bool
	heartbeat *time.Timer
	tick      *time.Timer
}

func newSessions(a *app, b *bridge) *sessions {
	return &sessions{a: a, b: b, cfg: a.cfg.SessionConfig()}
}

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
	s.b.later(func() {
		s.a.refresh()
		s.step(session.Shown)
	})
}

func (s *sessions) hidden() {
	s.mu.Lock()
	s.visible = false
	stop(s.heartbeat)
	s.mu.Unlock()
	s.b.later(func() { s.step(session.Hidden) })
}

// step applies a transition on the worker and arms the timers.
func (s *sessions) step(fn tracker.Step) {
	if !s.cfg.Automatic {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	recs, st, err := s.a.tracker.Session(ctx, fn, nowMillis(), s.a.pageState().Page)
	cancel()
	if err != nil {
		browser.ConsoleWarn("session: " + err.Error())
	}
	s.a.stored(recs)
	s.arm(st)
}

func (s *sessions) arm(st session.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stop(s.tick)
	if next := session.NextTick(s.cfg, st); next > 0 {
		wait := time.Duration(next-nowMillis())*time.Millisecond + 50*time.Millisecond
		s.tick = time.AfterFunc(max(wait, 0), func() { s.b.later(func() { s.step(session.Tick) }) })
	}
	stop(s.heartbeat)
	if s.visible && st.Open {
		s.heartbeat = time.AfterFunc(session.HeartbeatInterval(s.cfg), func() { s.b.later(func() { s.step(session.Active) }) })
	}
}

func stop(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// anonymize switches this tab, and through the channel every other tab, to
// a new customer.
func (a *app) anonymize(callTime float64) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	recs, err := a.tracker.Anonymize(ctx, callTime, a.pageState().Page)
	a.stored(recs)
	a.tabs.Post()
	a.sessions.step(session.Tick) // re-arm the timers for the new session
	return err
}

// manualSession is trackSessionStart / trackSessionEnd.
func (a *app) manualSession(c call) error {
	at, err := tracker.SessionTime(c.method, c.args, c.time)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	recs, warn, err := a.tracker.ManualSession(ctx, c.method == "trackSessionStart", at, a.pageState().Page)
	if warn != "" {
		browser.ConsoleWarn(c.method + ": " + string(warn))
	}
	a.stored(recs)
	return err
}

// refresh rereads the identity another tab may have changed.
func (a *app) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if _, err := a.tracker.Refresh(ctx); err != nil {
		browser.ConsoleWarn("refresh: " + err.Error())
	}
}
