package session

import "math"

// Kind tells a session_start from a session_end.
type Kind int

const (
	// Start is a session_start event.
	Start Kind = iota + 1
	// End is a session_end event.
	End
)

// String returns the event type tracked for k.
func (k Kind) String() string {
	switch k {
	case Start:
		return "session_start"
	case End:
		return "session_end"
	}
	return "session_unknown"
}

// Event is a session event to track, in the order a transition returns it.
type Event struct {
	Kind        Kind
	AtMs        float64 // the event.s timestamp, Unix milliseconds
	DurationSec float64 // seconds the session lasted, for End; never negative
}

// begin is the state of a session that starts at now, and its event.
func begin(now float64) (State, Event) {
	return State{Open: true, StartMs: now, LastActiveMs: now}, Event{Kind: Start, AtMs: now}
}

// finish is the End event of the open session s, ending at at ≥ s.StartMs.
func finish(s State, at float64) Event {
	return Event{Kind: End, AtMs: at, DurationSec: max(at-s.StartMs, 0) / 1000}
}

// touch records activity at now. A now before LastActiveMs is a clock that
// went back (or a tab whose reading of the clock lost the race to the
// transaction): it counts as activity at now, and Start moves back too if
// needed so that the duration can never be negative.
func touch(s State, now float64) State {
	s.LastActiveMs = now
	s.StartMs = min(s.StartMs, now)
	return s
}

// expired reports whether the open session s has seen no activity for the
// IdleLimit at now. A clock that went back is never expiry.
func expired(cfg Config, s State, now float64) bool {
	return now-s.LastActiveMs >= idle(cfg)
}

func usable(now float64) bool { return !math.IsNaN(now) && !math.IsInf(now, 0) }

// Shown is the page being shown: loaded, or made visible again. With
// automatic tracking it starts a session if none is open; ends an expired
// one (at its LastActiveMs, where its visitor left) and starts a new one; or
// just records activity if the open session is still fresh, which is what a
// reload or a second tab sees.
func Shown(cfg Config, s State, now float64) (State, []Event) {
	if !cfg.Automatic || !usable(now) {
		return s, nil
	}
	if !s.Open {
		n, ev := begin(now)
		return n, []Event{ev}
	}
	if expired(cfg, s, now) {
		end := finish(s, s.LastActiveMs)
		n, ev := begin(now)
		return n, []Event{end, ev}
	}
	return touch(s, now), nil
}

// Active is the heartbeat of a visible tab, every HeartbeatInterval. It
// follows Shown's rule: a heartbeat after a gap longer than the IdleLimit
// (the computer slept with the tab visible) ends the old session where the
// activity stopped and starts a new one.
func Active(cfg Config, s State, now float64) (State, []Event) {
	return Shown(cfg, s, now)
}

// Hidden is a tab being hidden (or closed: pagehide). It records activity
// until now; other tabs may still be visible, so the session stays open
// until Tick finds every tab silent for the IdleLimit. If the session had
// already expired (the tab was visible but asleep), it ends at its
// LastActiveMs and nothing starts.
func Hidden(cfg Config, s State, now float64) (State, []Event) {
	if !cfg.Automatic || !usable(now) || !s.Open {
		return s, nil
	}
	if expired(cfg, s, now) {
		return State{}, []Event{finish(s, s.LastActiveMs)}
	}
	return touch(s, now), nil
}

// Tick is a timer in any tab, visible or not, set for NextTick. It ends the
// open session at its LastActiveMs once no tab has shown activity for the
// IdleLimit. A Tick is not activity, except that a clock that went back
// makes it record activity at now (see touch), so the session still ends an
// IdleLimit later instead of when the clock catches up.
func Tick(cfg Config, s State, now float64) (State, []Event) {
	if !cfg.Automatic || !usable(now) || !s.Open {
		return s, nil
	}
	if expired(cfg, s, now) {
		return State{}, []Event{finish(s, s.LastActiveMs)}
	}
	if now < s.LastActiveMs {
		return touch(s, now), nil
	}
	return s, nil
}

// NextTick returns when a tab should call Tick next, in Unix ms: the moment
// the open session expires unless some tab shows activity before, or 0 if
// no timer is needed (no session open, or automatic tracking off). Tabs
// re-read the state and re-arm after every transition.
func NextTick(cfg Config, s State) float64 {
	if !cfg.Automatic || !s.Open {
		return 0
	}
	return s.LastActiveMs + idle(cfg)
}
