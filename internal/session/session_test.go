package session

import (
	"math"
	"testing"
	"time"
)

func TestTransitions(t *testing.T) {
	noClose := manual
	noClose.ManualAutoClose = false
	zero := auto
	zero.Timeout = 0
	open := func(start, last float64) State { return State{Open: true, StartMs: start, LastActiveMs: last} }
	tests := []struct {
		name  string
		cfg   Config
		from  State
		steps []step
		want  string    // events of all steps
		warn  []Warning // the warnings given, in order
		state State
	}{
		{"the first page load starts a session", auto, State{},
			[]step{{opShown, 1000}}, "start@1000", nil, open(1000, 1000)},
		{"a reload within the timeout keeps the session", auto, State{},
			[]step{{opShown, 0}, {opHidden, 10_000}, {opShown, 12_000}}, "start@0", nil, open(0, 12_000)},
		{"a return just before the timeout keeps the session", auto, State{},
			[]step{{opShown, 0}, {opHidden, 10_000}, {opShown, 69_999}}, "start@0", nil, open(0, 69_999)},
		{"heartbeats keep a visible tab's session for hours", auto, State{},
			[]step{{opShown, 0}, {opActive, 30_000}, {opTick, 60_000}, {opActive, 60_000}, {opTick, 90_000}, {opActive, 90_000}, {opTick, 149_999}},
			"start@0", nil, open(0, 90_000)},
		{"hidden longer than the timeout, Tick ends it at the last activity", auto, State{},
			[]step{{opShown, 0}, {opActive, 30_000}, {opHidden, 40_000}, {opTick, 99_999}, {opTick, 100_000}},
			"start@0 end@40000/40s", nil, State{}},
		{"a late Tick (throttled background timer) still ends at the last activity", auto, State{},
			[]step{{opShown, 0}, {opHidden, 40_000}, {opTick, 400_000}},
			"start@0 end@40000/40s", nil, State{}},
		{"a closed browser's session is ended on the next Shown, then a new one starts", auto, open(0, 5_000),
			[]step{{opShown, 3_605_000}}, "end@5000/5s start@3605000", nil, open(3_605_000, 3_605_000)},
		{"Shown after the session was ended starts a new one", auto, State{},
			[]step{{opShown, 0}, {opHidden, 1_000}, {opTick, 61_000}, {opShown, 70_000}},
			"start@0 end@1000/1s start@70000", nil, open(70_000, 70_000)},
		{"Hidden after the session expired (tab asleep) ends it, starts nothing", auto, open(0, 30_000),
			[]step{{opHidden, 500_000}}, "end@30000/30s", nil, State{}},
		{"a heartbeat after a sleep ends the old session and starts one", auto, open(0, 30_000),
			[]step{{opActive, 500_000}}, "end@30000/30s start@500000", nil, open(500_000, 500_000)},
		{"Hidden and Tick with no session do nothing", auto, State{},
			[]step{{opHidden, 5}, {opTick, 1e9}}, "", nil, State{}},

		{"clock back: activity at the earlier time, no end, no start", auto, open(100_000, 100_000),
			[]step{{opShown, 40_000}}, "", nil, open(40_000, 40_000)},
		{"clock back within a session keeps Start", auto, State{},
			[]step{{opShown, 0}, {opActive, 30_000}, {opActive, 29_000}, {opHidden, 30_000}, {opTick, 90_000}},
			"start@0 end@30000/30s", nil, State{}},
		{"clock back far: the session still ends an idle limit later", auto, open(0, 3_600_000),
			[]step{{opTick, 10_000}, {opTick, 69_999}, {opTick, 70_000}},
			"end@10000/10s", nil, State{}},
		{"clock back before StartMs: duration is not negative", auto, open(50_000, 60_000),
			[]step{{opHidden, 20_000}, {opTick, 80_000}}, "end@20000/0s", nil, State{}},

		{"timeout 0: ends two seconds after the last tab was hidden, at the hide", zero, State{},
			[]step{{opShown, 0}, {opHidden, 500}, {opTick, 2_499}, {opTick, 2_500}}, "start@0 end@500/0.5s", nil, State{}},
		{"timeout 0: a quick tab switch keeps the session", zero, State{},
			[]step{{opShown, 0}, {opHidden, 500}, {opShown, 1_500}}, "start@0", nil, open(0, 1_500)},
		{"timeout 0: a longer absence starts a new session", zero, State{},
			[]step{{opShown, 0}, {opHidden, 500}, {opShown, 3_000}}, "start@0 end@500/0.5s start@3000", nil, open(3_000, 3_000)},
		{"timeout 0: a visible tab's heartbeats and ticks never end it", zero, State{},
			[]step{{opShown, 0}, {opTick, 1_000}, {opActive, 1_000}, {opTick, 2_000}, {opActive, 2_000}, {opTick, 3_999}},
			"start@0", nil, open(0, 2_000)},

		{"anonymize ends a fresh automatic session now", auto, State{},
			[]step{{opShown, 0}, {opActive, 30_000}, {opAnonymize, 40_000}, {opShown, 40_000}},
			"start@0 end@40000/40s start@40000", nil, open(40_000, 40_000)},
		{"anonymize ends an expired automatic session at its last activity", auto, open(0, 1_000),
			[]step{{opAnonymize, 100_000}}, "end@1000/1s", nil, State{}},
		{"anonymize with no session only resets", auto, State{},
			[]step{{opAnonymize, 5}}, "", nil, State{}},
		{"anonymize drops a manual session without an event", manual, State{},
			[]step{{opManualStart, 0}, {opAnonymize, 5_000}}, "start@0", nil, State{}},

		{"manual start, end", manual, State{},
			[]step{{opManualStart, 0}, {opManualEnd, 12_500}}, "start@0 end@12500/12.5s", nil, State{}},
		{"manual start twice auto-closes the first", manual, State{},
			[]step{{opManualStart, 0}, {opManualStart, 10_000}}, "start@0 end@10000/10s start@10000", nil, open(10_000, 10_000)},
		{"manual start twice without auto-close is ignored", noClose, State{},
			[]step{{opManualStart, 0}, {opManualStart, 10_000}}, "start@0", []Warning{WarnAlreadyOpen}, open(0, 0)},
		{"manual end with none open warns", manual, State{},
			[]step{{opManualEnd, 10}}, "", []Warning{WarnNotOpen}, State{}},
		{"manual end stamped before the start lasts 0 s", manual, State{},
			[]step{{opManualStart, 10_000}, {opManualEnd, 5_000}}, "start@10000 end@5000/0s", nil, State{}},
		{"manual calls are ignored with automatic tracking", auto, open(0, 10),
			[]step{{opManualStart, 20}, {opManualEnd, 30}}, "", []Warning{WarnStartAutomatic, WarnEndAutomatic}, open(0, 10)},
		{"automatic transitions do nothing in manual mode", manual, open(0, 10),
			[]step{{opShown, 20}, {opActive, 1e6}, {opHidden, 2e6}, {opTick, 3e6}}, "", nil, open(0, 10)},
		{"automatic transitions do not start in manual mode", manual, State{},
			[]step{{opShown, 20}, {opActive, 1e6}}, "", nil, State{}},
		{"automatic tracking ends a session left by manual mode", auto, open(0, 10),
			[]step{{opShown, 1e6}}, "end@10/0.01s start@1000000", nil, open(1e6, 1e6)},
		{"a time that is not a number changes nothing", auto, open(0, 10),
			[]step{{opShown, math.NaN()}, {opTick, math.Inf(1)}, {opHidden, math.Inf(-1)}}, "", nil, open(0, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.from
			var evs []Event
			var warns []Warning
			for _, st := range tt.steps {
				var e []Event
				var w Warning
				s, e, w = apply(tt.cfg, s, st)
				evs = append(evs, e...)
				if w != "" {
					warns = append(warns, w)
				}
			}
			if got := evString(evs); got != tt.want {
				t.Errorf("events: got %v, want %v", got, tt.want)
			}
			if got, want := len(warns), len(tt.warn); got != want {
				t.Fatalf("warnings: got %v, want %v", warns, tt.warn)
			}
			for i := range warns {
				if warns[i] != tt.warn[i] {
					t.Errorf("warning %d: got %q, want %q", i, warns[i], tt.warn[i])
				}
			}
			if s != tt.state {
				t.Errorf("state: got %+v, want %+v", s, tt.state)
			}
		})
	}
}

func TestHeartbeatAndIdleLimit(t *testing.T) {
	tests := []struct {
		timeout, heartbeat, idle time.Duration
	}{
		{-time.Second, time.Second, 2 * time.Second},
		{0, time.Second, 2 * time.Second},
		{500 * time.Millisecond, time.Second, 2 * time.Second},
		{2 * time.Second, time.Second, 2 * time.Second},
		{3 * time.Second, 1500 * time.Millisecond, 3 * time.Second},
		{60 * time.Second, 30 * time.Second, 60 * time.Second},
		{time.Hour, 30 * time.Second, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.timeout.String(), func(t *testing.T) {
			cfg := Config{Timeout: tt.timeout, Automatic: true}
			if got := HeartbeatInterval(cfg); got != tt.heartbeat {
				t.Errorf("HeartbeatInterval: got %v, want %v", got, tt.heartbeat)
			}
			if got := IdleLimit(cfg); got != tt.idle {
				t.Errorf("IdleLimit: got %v, want %v", got, tt.idle)
			}
		})
	}
}

func TestNextTick(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		s    State
		want float64
	}{
		{"open session: its last activity plus the timeout", auto, State{Open: true, StartMs: 0, LastActiveMs: 40_000}, 100_000},
		{"timeout 0: plus the minimum idle limit", Config{Automatic: true}, State{Open: true, LastActiveMs: 500}, 2_500},
		{"no session: no timer", auto, State{}, 0},
		{"manual mode: no timer", manual, State{Open: true, LastActiveMs: 40_000}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NextTick(tt.cfg, tt.s); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Start: "session_start", End: "session_end", 0: "session_unknown"} {
		if got := k.String(); got != want {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}

// TestVisibleTabNeverLoops simulates a visible tab that heartbeats every
// HeartbeatInterval while a background tab runs Tick at every NextTick: the
// session must stay open however small the timeout, and end at the hide.
func TestVisibleTabNeverLoops(t *testing.T) {
	for _, timeout := range []time.Duration{0, 300 * time.Millisecond, time.Second, 3 * time.Second, time.Minute, time.Hour} {
		t.Run(timeout.String(), func(t *testing.T) {
			cfg := Config{Timeout: timeout, Automatic: true}
			beat := float64(HeartbeatInterval(cfg) / time.Millisecond)
			hideAt := 50*float64(IdleLimit(cfg)/time.Millisecond) + 7
			var s State
			var evs []Event
			run := func(st step) {
				var e []Event
				s, e, _ = apply(cfg, s, st)
				evs = append(evs, e...)
			}
			run(step{opShown, 0})
			for now := beat; now < hideAt; now += beat {
				// The background timer fires when due, and also just before
				// each heartbeat, the worst moment for the visible tab.
				if tick := NextTick(cfg, s); tick != 0 && tick <= now {
					run(step{opTick, tick})
				}
				run(step{opTick, now - 1})
				run(step{opActive, now})
			}
			run(step{opHidden, hideAt})
			if got, want := evString(evs), "start@0"; got != want {
				t.Fatalf("while visible: got %v, want %v", got, want)
			}
			tick := NextTick(cfg, s)
			run(step{opTick, tick - 1})
			run(step{opTick, tick})
			if got, want := evString(evs[1:]), evString([]Event{{Kind: End, AtMs: hideAt, DurationSec: hideAt / 1000}}); got != want {
				t.Errorf("after hiding: got %v, want %v", got, want)
			}
			if s != (State{}) {
				t.Errorf("state: got %+v, want closed", s)
			}
		})
	}
}
