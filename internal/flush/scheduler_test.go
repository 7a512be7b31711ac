package flush

import (
	"testing"
	"time"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		ok   bool
	}{
		{"immediate", ModeImmediate, true},
		{"period", ModePeriod, true},
		{"appClose", ModeAppClose, true},
		{"APPCLOSE", ModeAppClose, true},
		{"manual", ModeManual, true},
		{"", "", false},
		{"app_close", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMode(tt.in)
			if got != tt.want || (err == nil) != tt.ok {
				t.Errorf("got %v, %v, want %v, ok %v", got, err, tt.want, tt.ok)
			}
			if err != nil && err.Error()[:7] != "flush: " {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

const period = time.Minute

// act summarizes a Decision for tables.
type act struct{ flush, force, close bool }

func (a act) String() string {
	s := ""
	if a.flush {
		s += "Flush "
	}
	if a.force {
		s += "Force "
	}
	if a.close {
		s += "Close"
	}
	if s == "" {
		return "nothing"
	}
	return s
}

func actOf(d Decision) act { return act{d.Flush, d.Force, d.Close} }

func TestSchedulerModes(t *testing.T) {
	var (
		none   = act{}
		flush  = act{flush: true}
		manual = act{flush: true, force: true}
		close  = act{close: true}
	)
	want := map[Mode]map[Trigger]act{
		ModeImmediate: {Tracked: flush, Timer: flush, Hidden: close, PageHide: close, Online: flush, Offline: none, Manual: manual, Due: flush},
		ModePeriod:    {Tracked: none, Timer: flush, Hidden: close, PageHide: close, Online: none, Offline: none, Manual: manual, Due: flush},
		ModeAppClose:  {Tracked: none, Timer: none, Hidden: close, PageHide: close, Online: none, Offline: none, Manual: manual, Due: none},
		ModeManual:    {Tracked: none, Timer: none, Hidden: none, PageHide: none, Online: none, Offline: none, Manual: manual, Due: none},
	}
	for mode, row := range want {
		for trig, w := range row {
			t.Run(string(mode)+"/"+trig.String(), func(t *testing.T) {
				s := NewScheduler(mode, period)
				s.On(Timer, t0, true) // anchors the period
				now := t0.Add(period) // a period boundary
				d := s.On(trig, now, trig != Offline)
				if got := actOf(d); got != w {
					t.Errorf("got %v, want %v", got, w)
				}
				wantWake := time.Time{}
				if mode == ModePeriod {
					wantWake = t0.Add(2 * period)
				}
				if !d.Wake.Equal(wantWake) {
					t.Errorf("wake: got %v, want %v", d.Wake, wantWake)
				}
			})
		}
	}
}

func TestSchedulerPeriod(t *testing.T) {
	s := NewScheduler(ModePeriod, period)
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

func TestSchedulerChanges(t *testing.T) {
	t.Run("period to immediate", func(t *testing.T) {
		s := NewScheduler(ModePeriod, period)
		s.On(Timer, t0, true)
		s.SetMode(ModeImmediate)
		d := s.On(Timer, t0.Add(time.Second), true)
		if !d.Flush || !d.Wake.IsZero() || s.Mode() != ModeImmediate {
			t.Errorf("got %+v, want Flush and no timer", d)
		}
	})
	t.Run("immediate to period", func(t *testing.T) {
		s := NewScheduler(ModeImmediate, period)
		s.SetMode(ModePeriod)
		d := s.On(Timer, t0, true)
		if d.Flush || !d.Wake.Equal(t0.Add(period)) {
			t.Errorf("got %+v, want a wake one period ahead", d)
		}
	})
	t.Run("new period restarts", func(t *testing.T) {
		s := NewScheduler(ModePeriod, period)
		s.On(Timer, t0, true)
		s.SetPeriod(10 * time.Second)
		d := s.On(Timer, t0.Add(30*time.Second), true)
		if d.Flush || !d.Wake.Equal(t0.Add(40*time.Second)) || s.Period() != 10*time.Second {
			t.Errorf("got %+v, want a wake 10 s ahead", d)
		}
	})
	t.Run("to manual cancels the timer", func(t *testing.T) {
		s := NewScheduler(ModePeriod, period)
		s.On(Timer, t0, true)
		s.SetMode(ModeManual)
		if d := s.On(Timer, t0.Add(period), true); d.Flush || !d.Wake.IsZero() {
			t.Errorf("got %+v, want nothing", d)
		}
	})
	t.Run("invalid values are ignored", func(t *testing.T) {
		s := NewScheduler("sometimes", -1)
		s.SetMode("never")
		s.SetPeriod(0)
		if s.Mode() != ModeImmediate || s.Period() != DefaultPeriod {
			t.Errorf("got %v %v, want %v %v", s.Mode(), s.Period(), ModeImmediate, DefaultPeriod)
		}
	})
}

func TestSchedulerOffline(t *testing.T) {
	t.Run("immediate catches up when back online", func(t *testing.T) {
		s := NewScheduler(ModeImmediate, period)
		if d := s.On(Offline, t0, false); d.Flush || d.Offline {
			t.Errorf("offline event: got %+v, want nothing", d)
		}
		if d := s.On(Tracked, t0, false); d.Flush || !d.Offline {
			t.Errorf("tracked offline: got %+v, want no flush, reported offline", d)
		}
		if d := s.On(Online, t0, true); !d.Flush {
			t.Errorf("online: got %+v, want Flush", d)
		}
	})
	t.Run("manual while offline is reported", func(t *testing.T) {
		d := NewScheduler(ModeManual, period).On(Manual, t0, false)
		if d.Flush || d.Force || !d.Offline {
			t.Errorf("got %+v, want no flush, reported offline", d)
		}
	})
	t.Run("no close while offline", func(t *testing.T) {
		for _, trig := range []Trigger{Hidden, PageHide} {
			if d := NewScheduler(ModeAppClose, period).On(trig, t0, false); d.Close || !d.Offline {
				t.Errorf("%v: got %+v, want no close, reported offline", trig, d)
			}
		}
	})
	t.Run("period flushes a missed boundary when back online", func(t *testing.T) {
		s := NewScheduler(ModePeriod, period)
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
