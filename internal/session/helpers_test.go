package session

import (
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"strconv"
	"strings"
	"time"
)

// op names a transition, as the tests and the fuzz test apply them.
type op int

const (
	opShown op = iota
	opActive
	opHidden
	opTick
	opAnonymize
	opManualStart
	opManualEnd
	numOps
)

var opNames = [...]string{"Shown", "Active", "Hidden", "Tick", "Anonymize", "ManualStart", "ManualEnd"}

func (o op) String() string { return opNames[o] }

// step is one transition at one time of the fake clock (Unix ms).
type step struct {
	op op
	at float64
}

// apply runs one transition, as a binding would inside UpdateState.
func apply(cfg Config, s State, st step) (State, []Event, Warning) {
	var evs []Event
	var w Warning
	switch st.op {
	case opShown:
		s, evs = Shown(cfg, s, st.at)
	case opActive:
		s, evs = Active(cfg, s, st.at)
	case opHidden:
		s, evs = Hidden(cfg, s, st.at)
	case opTick:
		s, evs = Tick(cfg, s, st.at)
	case opAnonymize:
		s, evs = Anonymize(cfg, s, st.at)
	case opManualStart:
		s, evs, w = ManualStart(cfg, s, st.at)
	case opManualEnd:
		s, evs, w = ManualEnd(cfg, s, st.at)
	}
	return s, evs, w
}

// evString renders events compactly: "start@0 end@40000/40s".
func evString(evs []Event) string {
	var b strings.Builder
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch e.Kind {
		case Start:
			b.WriteString("start@")
		case End:
			b.WriteString("end@")
		default:
			b.WriteString("?@")
		}
		b.WriteString(strconv.FormatFloat(e.AtMs, 'f', -1, 64))
		if e.Kind == End {
			b.WriteString("/" + strconv.FormatFloat(e.DurationSec, 'f', -1, 64) + "s")
		}
	}
	return b.String()
}

var (
	auto   = Config{Timeout: 60 * time.Second, Automatic: true, ManualAutoClose: true}
	manual = Config{Timeout: 60 * time.Second, ManualAutoClose: true}
)

func jsonValid(b []byte) bool { return jsonx.Valid(b) }
