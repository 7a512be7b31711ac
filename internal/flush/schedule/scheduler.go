package schedule

import (
	"sync"
	"time"
)

// Decision is what a Scheduler says to do about a trigger.
type Decision struct {
	// Flush: send now (flush.Flusher.Flush, forced for the Manual trigger).
	Flush bool
	// Wake is when to call On(Timer) next; zero means no timer is needed
	// (cancel any).
	Wake time.Time
}

// Scheduler decides when to flush under a flush mode. It is a pure state
// machine: the browser binding feeds it triggers with the time and the
// online state and does what the Decision says. It is safe for concurrent
// use.
//
//	trigger  immediate  period                       appClose  manual
//	Tracked  Flush      Flush at a boundary          -         -
//	Timer    Flush      Flush at a boundary          -         -
//	Online   Flush      Flush if missed, or boundary -         -
//	Offline  -          -                            -         -
//	Manual   Flush      Flush                        Flush     Flush
//	Due      Flush      Flush                        -         -
//	Hidden   Flush      Flush                        Flush     -
//
// While offline nothing is flushed; a flush wanted then is remembered, and
// Online makes it up in immediate and period modes. The page's hiding is a
// trigger (Hidden) only where the Go side outlives the page; elsewhere the
// loader's close path sends then (Mode.SendsOnHide).
//
// In period mode Wake is the next period boundary, counted from the first
// trigger after the mode or period was set; other modes need no timer. After
// SetMode or SetPeriod, call On(Timer, now) to get the new Wake at once.
//
// Retries are a second, separate timer: when a Flush leaves records waiting
// (flush.Result.Next), fire On(Due) then. Only the automatic modes retry by
// themselves; in appClose and manual modes records wait for their trigger.
type Scheduler struct {
	mu     sync.Mutex
	mode   Mode
	period time.Duration
	due    time.Time // next period boundary; zero until anchored
	missed bool      // a flush was wanted while offline
}

// New returns a Scheduler for mode (an invalid mode means
// ModeImmediate) and period (zero or negative: DefaultPeriod).
func New(mode Mode, period time.Duration) *Scheduler {
	s := &Scheduler{mode: ModeImmediate, period: DefaultPeriod}
	s.SetMode(mode)
	s.SetPeriod(period)
	return s
}

// SetMode switches to mode; an invalid mode is ignored (check it with
// Mode.Valid first). The period restarts.
func (s *Scheduler) SetMode(mode Mode) {
	if !mode.Valid() {
		return
	}
	s.mu.Lock()
	if mode != s.mode {
		s.mode, s.due = mode, time.Time{}
	}
	s.mu.Unlock()
}

// SetPeriod sets the flush period of ModePeriod; zero or negative is
// ignored. The period restarts.
func (s *Scheduler) SetPeriod(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	if d != s.period {
		s.period, s.due = d, time.Time{}
	}
	s.mu.Unlock()
}

// Mode returns the current mode.
func (s *Scheduler) Mode() Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode
}

// Period returns the current period.
func (s *Scheduler) Period() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.period
}

// On returns what to do about trigger t at time now; online is
// navigator.onLine (the Online and Offline triggers imply it).
//
// In period mode a boundary reached is a send whatever trigger reaches it
// first: the trigger that finds now at or past the boundary moves it on and
// flushes (or, offline, remembers the flush for Online). A trigger that
// moved the boundary without flushing would leave the Timer that follows
// it nothing to do, and the send would slip a whole period.
func (s *Scheduler) On(t Trigger, now time.Time, online bool) Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch t {
	case Online:
		online = true
	case Offline:
		online = false
	}
	var d Decision
	if s.mode == ModePeriod {
		d.Flush = s.advance(now)
		d.Wake = s.due
	}
	switch t {
	case Manual:
		d.Flush = true
	case Tracked, Timer:
		d.Flush = d.Flush || s.mode == ModeImmediate
	case Due:
		d.Flush = d.Flush || s.mode == ModeImmediate || s.mode == ModePeriod
	case Hidden:
		d.Flush = d.Flush || s.mode.SendsOnHide()
	case Online:
		d.Flush = d.Flush || s.mode == ModeImmediate || s.mode == ModePeriod && s.missed
	}
	if !online && d.Flush {
		s.missed = true
		d.Flush = false
	}
	if d.Flush {
		s.missed = false
	}
	return d
}

// advance anchors the period at now if needed and moves the boundary past
// now, skipping boundaries missed while the page slept. It reports whether
// a boundary was reached (at most one send for all the skipped ones).
func (s *Scheduler) advance(now time.Time) bool {
	if s.due.IsZero() {
		s.due = now.Add(s.period)
		return false
	}
	late := now.Sub(s.due)
	if late < 0 {
		return false
	}
	s.due = s.due.Add((late/s.period + 1) * s.period)
	return true
}
