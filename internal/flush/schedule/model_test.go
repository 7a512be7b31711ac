package schedule

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// model is the four flush modes as the package doc, docs/api.md
// (setFlushMode) and the SDK's spec state them, written without Scheduler's
// code: period boundaries are counted from the anchor rather than kept as
// a moving due time.
//
//   - Manual flushes in every mode.
//   - immediate: every trigger but Offline flushes.
//   - period: the boundaries are anchor + n·period (n ≥ 1), the anchor being
//     the time of the first trigger since the mode or the period was set.
//     The first trigger, of any kind, at or past a boundary not yet reached
//     flushes, once however many boundaries it passed; Due flushes; Online
//     flushes if a flush was missed. Wake is the first boundary after now.
//   - appClose, manual: nothing but Manual flushes; no Wake.
//   - Offline (or online false): nothing flushes; a flush wanted then is
//     missed, and the next flush clears that.
type model struct {
	mode    Mode
	period  time.Duration
	anchor  time.Time // zero: not anchored
	reached int64     // boundaries reached since the anchor
	missed  bool
}

func newModel(mode Mode, period time.Duration) *model {
	m := &model{mode: ModeImmediate, period: DefaultPeriod}
	m.setMode(mode)
	m.setPeriod(period)
	return m
}

func (m *model) setMode(mode Mode) {
	switch mode {
	case ModeImmediate, ModePeriod, ModeAppClose, ModeManual:
		if mode != m.mode {
			m.mode, m.anchor = mode, time.Time{}
		}
	}
}

func (m *model) setPeriod(d time.Duration) {
	if d > 0 && d != m.period {
		m.period, m.anchor = d, time.Time{}
	}
}

func (m *model) on(t Trigger, now time.Time, online bool) Decision {
	online = t == Online || online && t != Offline
	var want bool
	var wake time.Time
	switch m.mode {
	case ModeImmediate:
		want = t != Offline
	case ModePeriod:
		if m.anchor.IsZero() {
			m.anchor, m.reached = now, 0
		}
		boundary := false
		if n := int64(now.Sub(m.anchor) / m.period); n > m.reached {
			m.reached, boundary = n, true
		}
		want = boundary || t == Due || t == Hidden || t == Online && m.missed
		wake = m.anchor.Add(time.Duration(m.reached+1) * m.period)
	}
	want = want || t == Manual || t == Hidden && m.mode != ModeManual
	if !online {
		m.missed = m.missed || want
		return Decision{Wake: wake}
	}
	if want {
		m.missed = false
	}
	return Decision{Flush: want, Wake: wake}
}

// The scheduler agrees with the model on every decision of random
// sequences of triggers, clock steps and changes of mode and period.
func TestSchedulerAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 1))
	for range 3000 {
		ops := make([]byte, 2+2*rng.IntN(120))
		for i := range ops {
			ops[i] = byte(rng.UintN(256))
		}
		if !checkAgainstModel(t, ops) {
			return
		}
	}
}

func FuzzScheduler(f *testing.F) {
	f.Add([]byte{1, 0, 0, 7, 4, 5, 0, 6, 0, 7})             // period: a boundary reached by Tracked, then Timer
	f.Add([]byte{1, 0, 0, 7, 0, 3, 4, 5, 0, 1, 0, 8, 0, 7}) // period: offline across a boundary, then Online
	f.Add([]byte{0, 0, 0, 6, 6, 1, 0, 7, 4, 6, 7, 1, 0, 6, 4, 4, 0, 0, 0, 8})
	f.Fuzz(func(t *testing.T, ops []byte) { checkAgainstModel(t, ops) })
}

var (
	modelModes   = [...]Mode{ModeImmediate, ModePeriod, ModeAppClose, ModeManual, "sometimes"}
	modelPeriods = [...]time.Duration{3 * time.Second, 5 * time.Second, 10 * time.Second, 0, -time.Second}
	// Clock steps: whole seconds land on the periods' boundaries, 1 ms and
	// 999 ms just before and after them.
	modelSteps = [...]time.Duration{0, time.Millisecond, 999 * time.Millisecond, time.Second, 2 * time.Second, 3 * time.Second, 7 * time.Second, 31 * time.Second}
)

// checkAgainstModel runs ops against a Scheduler and the model and reports
// whether they agreed; if not, it fails t with the shortest sequence it
// finds by leaving ops out that still disagrees.
func checkAgainstModel(t *testing.T, ops []byte) bool {
	t.Helper()
	trace, msg := runAgainstModel(ops)
	if msg == "" {
		return true
	}
	for i := 2; i+1 < len(ops); {
		shorter := append(append([]byte{}, ops[:i]...), ops[i+2:]...)
		if tr, m := runAgainstModel(shorter); m != "" {
			ops, trace, msg = shorter, tr, m
			continue
		}
		i += 2
	}
	t.Errorf("after\n\t%s\n%s\n(ops %v)", strings.Join(trace, "\n\t"), msg, ops)
	return false
}

// runAgainstModel runs ops and returns what it did and how the Scheduler
// and the model disagreed ("" if they did not). ops[0] and ops[1] pick the
// mode and period to start with; then each pair of bytes is an op and its
// argument: a trigger (with the online state), a clock step, SetMode or
// SetPeriod.
func runAgainstModel(ops []byte) (trace []string, msg string) {
	if len(ops) < 2 {
		return nil, ""
	}
	mode, period := modelModes[int(ops[0])%len(modelModes)], modelPeriods[int(ops[1])%len(modelPeriods)]
	s, m := New(mode, period), newModel(mode, period)
	trace = []string{"New(" + string(mode) + ", " + period.String() + ")"}
	now := t0
	for i := 2; i+1 < len(ops); i += 2 {
		op, arg := ops[i]%8, int(ops[i+1])
		switch op {
		case 0, 1, 2, 3:
			trig, online := Trigger(arg%7), arg/7%4 != 0
			got, want := s.On(trig, now, online), m.on(trig, now, online)
			trace = append(trace, "On("+triggerNames[trig]+", +"+now.Sub(t0).String()+", online "+strconv.FormatBool(online)+")")
			if got.Flush != want.Flush || !got.Wake.Equal(want.Wake) {
				return trace, "got flush " + strconv.FormatBool(got.Flush) + " wake " + wakeText(got.Wake) +
					", want flush " + strconv.FormatBool(want.Flush) + " wake " + wakeText(want.Wake)
			}
		case 4, 5:
			d := modelSteps[arg%len(modelSteps)]
			now = now.Add(d)
			trace = append(trace, "clock +"+d.String())
		case 6:
			mode := modelModes[arg%len(modelModes)]
			s.SetMode(mode)
			m.setMode(mode)
			trace = append(trace, "SetMode("+string(mode)+")")
		case 7:
			d := modelPeriods[arg%len(modelPeriods)]
			s.SetPeriod(d)
			m.setPeriod(d)
			trace = append(trace, "SetPeriod("+d.String()+")")
		}
		if s.Mode() != m.mode || s.Period() != m.period {
			return trace, "got mode " + string(s.Mode()) + " period " + s.Period().String() + ", want " + string(m.mode) + " " + m.period.String()
		}
	}
	return trace, ""
}

func wakeText(w time.Time) string {
	if w.IsZero() {
		return "none"
	}
	return "+" + w.Sub(t0).String()
}
