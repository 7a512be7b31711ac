package schedule

import (
	"testing"
	"time"
)

func TestModes(t *testing.T) {
	tests := []struct {
		m           Mode
		valid, hide bool
	}{
		{ModeImmediate, true, true},
		{ModePeriod, true, true},
		{ModeAppClose, true, true},
		{ModeManual, true, false},
		{"APPCLOSE", false, true},
		{"", false, true},
	}
	for _, tt := range tests {
		if got := tt.m.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.m, got, tt.valid)
		}
		if got := tt.m.SendsOnHide(); tt.valid && got != tt.hide {
			t.Errorf("%q.SendsOnHide() = %v, want %v", tt.m, got, tt.hide)
		}
	}
}

// t0 is the time the tests start at.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const period = time.Minute

func TestSchedulerModes(t *testing.T) {
	const flush, none = true, false
	type row map[Trigger]bool
	// Each trigger half-way through a period and at a period boundary,
	// once the period is anchored; the other modes have no boundaries.
	tests := []struct {
		mode        Mode
		mid, border row
	}{
		{ModeImmediate,
			row{Tracked: flush, Timer: flush, Online: flush, Offline: none, Manual: flush, Due: flush, Hidden: flush},
			row{Tracked: flush, Timer: flush, Online: flush, Offline: none, Manual: flush, Due: flush, Hidden: flush}},
		{ModePeriod,
			row{Tracked: none, Timer: none, Online: none, Offline: none, Manual: flush, Due: flush, Hidden: flush},
			row{Tracked: flush, Timer: flush, Online: flush, Offline: none, Manual: flush, Due: flush, Hidden: flush}},
		{ModeAppClose,
			row{Tracked: none, Timer: none, Online: none, Offline: none, Manual: flush, Due: none, Hidden: flush},
			row{Tracked: none, Timer: none, Online: none, Offline: none, Manual: flush, Due: none, Hidden: flush}},
		{ModeManual,
			row{Tracked: none, Timer: none, Online: none, Offline: none, Manual: flush, Due: none, Hidden: none},
			row{Tracked: none, Timer: none, Online: none, Offline: none, Manual: flush, Due: none, Hidden: none}},
	}
	for _, tt := range tests {
		for _, at := range []struct {
			name string
			at   time.Duration
			want row
			wake time.Duration // in period mode
		}{{"mid-period", period / 2, tt.mid, period}, {"boundary", period, tt.border, 2 * period}} {
			for trig, w := range at.want {
				t.Run(string(tt.mode)+"/"+at.name+"/"+triggerNames[trig], func(t *testing.T) {
					s := New(tt.mode, period)
					s.On(Timer, t0, true) // anchors the period
					d := s.On(trig, t0.Add(at.at), trig != Offline)
					if d.Flush != w {
						t.Errorf("flush: got %v, want %v", d.Flush, w)
					}
					wantWake := time.Time{}
					if tt.mode == ModePeriod {
						wantWake = t0.Add(at.wake)
					}
					if !d.Wake.Equal(wantWake) {
						t.Errorf("wake: got %v, want %v", d.Wake, wantWake)
					}
				})
			}
		}
	}
}

func TestSchedulerPeriod(t *testing.T) {
	s := New(ModePeriod, period)
	steps := []struct {
		name  string
		trig  Trigger
		at    time.Duration
		flush bool
		wake  time.Duration
	}{
		{"first timer anchors", Timer, 0, false, period},
		{"tracked keeps the wake", Tracked, 10 * time.Second, false, period},
		{"early timer waits", Timer, period - time.Millisecond, false, period},
		{"boundary flushes", Timer, period, true, 2 * period},
		{"a late timer flushes once and skips missed boundaries", Timer, 5*period + time.Second, true, 6 * period},
	}
	for _, st := range steps {
		d := s.On(st.trig, t0.Add(st.at), true)
		if d.Flush != st.flush || !d.Wake.Equal(t0.Add(st.wake)) {
			t.Errorf("%s: got flush %v wake %v, want %v %v", st.name, d.Flush, d.Wake.Sub(t0), st.flush, st.wake)
		}
	}
}

// A boundary reached is a send whatever trigger reaches it first: the
// SDK's loop hands the scheduler a stored record's trigger before the
// timer's when both wait, and the boundary must not be used up by a
// trigger that does not send.
func TestSchedulerBoundaryWhateverTriggerComesFirst(t *testing.T) {
	for _, first := range []Trigger{Tracked, Offline, Online, Manual, Due, Timer} {
		t.Run(triggerNames[first], func(t *testing.T) {
			s := New(ModePeriod, period)
			s.On(Timer, t0, true) // anchors the period
			at := t0.Add(period)
			online := first != Offline
			d1 := s.On(first, at, online)
			d2 := s.On(Timer, at, online)
			if got := d1.Flush || d2.Flush; got != online {
				t.Errorf("flush at the boundary: got %v (%s then Timer), want %v", got, triggerNames[first], online)
			}
			if d1.Flush && d2.Flush {
				t.Errorf("flushed twice for one boundary")
			}
			for i, d := range []Decision{d1, d2} {
				if want := t0.Add(2 * period); !d.Wake.Equal(want) {
					t.Errorf("wake %d: got %v, want one period after the boundary", i, d.Wake.Sub(t0))
				}
			}
			if !online {
				if d := s.On(Online, at.Add(time.Second), true); !d.Flush {
					t.Errorf("online after a boundary passed offline: got %+v, want Flush", d)
				}
			}
		})
	}
}

func TestSchedulerChanges(t *testing.T) {
	t.Run("period to immediate", func(t *testing.T) {
		s := New(ModePeriod, period)
		s.On(Timer, t0, true)
		s.SetMode(ModeImmediate)
		d := s.On(Timer, t0.Add(time.Second), true)
		if !d.Flush || !d.Wake.IsZero() || s.Mode() != ModeImmediate {
			t.Errorf("got %+v, want Flush and no timer", d)
		}
	})
	t.Run("immediate to period", func(t *testing.T) {
		s := New(ModeImmediate, period)
		s.SetMode(ModePeriod)
		d := s.On(Timer, t0, true)
		if d.Flush || !d.Wake.Equal(t0.Add(period)) {
			t.Errorf("got %+v, want a wake one period ahead", d)
		}
	})
	t.Run("new period restarts", func(t *testing.T) {
		s := New(ModePeriod, period)
		s.On(Timer, t0, true)
		s.SetPeriod(10 * time.Second)
		d := s.On(Timer, t0.Add(30*time.Second), true)
		if d.Flush || !d.Wake.Equal(t0.Add(40*time.Second)) || s.Period() != 10*time.Second {
			t.Errorf("got %+v, want a wake 10 s ahead", d)
		}
	})
	t.Run("to manual cancels the timer", func(t *testing.T) {
		s := New(ModePeriod, period)
		s.On(Timer, t0, true)
		s.SetMode(ModeManual)
		if d := s.On(Timer, t0.Add(period), true); d.Flush || !d.Wake.IsZero() {
			t.Errorf("got %+v, want nothing", d)
		}
	})
	t.Run("invalid values are ignored", func(t *testing.T) {
		s := New("sometimes", -1)
		s.SetMode("never")
		s.SetPeriod(0)
		if s.Mode() != ModeImmediate || s.Period() != DefaultPeriod {
			t.Errorf("got %v %v, want %v %v", s.Mode(), s.Period(), ModeImmediate, DefaultPeriod)
		}
	})
}

func TestSchedulerOffline(t *testing.T) {
	t.Run("immediate catches up when back online", func(t *testing.T) {
		s := New(ModeImmediate, period)
		if d := s.On(Offline, t0, false); d.Flush {
			t.Errorf("offline event: got %+v, want nothing", d)
		}
		if d := s.On(Tracked, t0, false); d.Flush {
			t.Errorf("tracked offline: got %+v, want no flush", d)
		}
		if d := s.On(Online, t0, true); !d.Flush {
			t.Errorf("online: got %+v, want Flush", d)
		}
	})
	t.Run("manual while offline does not flush", func(t *testing.T) {
		s := New(ModeManual, period)
		if d := s.On(Manual, t0, false); d.Flush {
			t.Errorf("got %+v, want no flush", d)
		}
	})
	t.Run("period flushes a missed boundary when back online", func(t *testing.T) {
		s := New(ModePeriod, period)
		s.On(Timer, t0, true)
		if d := s.On(Online, t0.Add(time.Second), true); d.Flush {
			t.Errorf("online with nothing missed: got %+v, want no flush", d)
		}
		if d := s.On(Timer, t0.Add(period), false); d.Flush {
			t.Errorf("boundary while offline: got %+v, want no flush", d)
		}
		if d := s.On(Online, t0.Add(period+time.Second), true); !d.Flush {
			t.Errorf("online after a missed boundary: got %+v, want Flush", d)
		}
		if d := s.On(Online, t0.Add(period+2*time.Second), true); d.Flush {
			t.Errorf("second online: got %+v, want no flush", d)
		}
	})
}

var triggerNames = [...]string{Tracked: "Tracked", Timer: "Timer", Online: "Online", Offline: "Offline", Manual: "Manual", Due: "Due", Hidden: "Hidden"}
