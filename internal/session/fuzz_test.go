package session

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// FuzzTransitions applies random sequences of transitions at random, possibly
// decreasing, times to one stored state, round-tripping it through Encode
// and Decode between steps as UpdateState does, and checks the invariants:
// durations are never negative, a Start never follows a Start without an End
// between them, an End comes only while a session is open, and the state
// agrees with the events.
//
// data: byte 0 is the timeout in seconds (0–255), byte 1 the flags
// (automatic, auto-close); then 3 bytes per step: the transition and a
// signed 16-bit clock change in units of 97 ms (about ±53 min).
func FuzzTransitions(f *testing.F) {
	f.Add([]byte{60, 3, 0, 0, 0, 2, 0x01, 0x00, 3, 0x03, 0x00, 0, 0xff, 0xff})
	f.Add([]byte{0, 3, 0, 0, 0, 1, 0, 10, 2, 0, 1, 3, 0, 30, 0, 0x80, 0x00, 3, 0, 1})
	f.Add([]byte{1, 2, 5, 0, 0, 5, 0, 100, 6, 0xff, 0x00, 6, 0, 0, 4, 0, 1, 5, 0x7f, 0xff})
	f.Add([]byte{5, 1, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 3, 0xff, 0x00, 2, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		cfg := Config{
			Timeout:         time.Duration(data[0]) * time.Second,
			Automatic:       data[1]&1 != 0,
			ManualAutoClose: data[1]&2 != 0,
		}
		stored := State{}.Encode()
		open := false
		now := 1.764e12
		for i := 2; i+3 <= len(data); i += 3 {
			now += 97 * float64(int16(binary.BigEndian.Uint16(data[i+1:])))
			st := step{op(data[i] % byte(numOps)), now}
			s, ok := Decode(stored)
			if !ok {
				t.Fatalf("step %d: stored state %q does not decode", i, stored)
			}
			n, evs, _ := apply(cfg, s, st)
			for _, e := range evs {
				switch e.Kind {
				case Start:
					if open {
						t.Fatalf("step %d %v@%v from %+v: a second start: %v", i, st.op, st.at, s, evString(evs))
					}
					if e.AtMs != st.at {
						t.Fatalf("step %d %v: start at %v, want now %v", i, st.op, e.AtMs, st.at)
					}
					open = true
				case End:
					if !open {
						t.Fatalf("step %d %v@%v from %+v: an end with no session: %v", i, st.op, st.at, s, evString(evs))
					}
					if e.DurationSec < 0 || math.IsNaN(e.DurationSec) || e.AtMs > st.at {
						t.Fatalf("step %d %v@%v from %+v: %v", i, st.op, st.at, s, evString(evs))
					}
					open = false
				default:
					t.Fatalf("step %d: event of kind %v", i, e.Kind)
				}
			}
			if st.op == opAnonymize {
				open = false // a manual session is dropped without an event
			}
			if n.Open != open {
				t.Fatalf("step %d %v@%v from %+v: state %+v after %v", i, st.op, st.at, s, n, evString(evs))
			}
			if n.Open && n.StartMs > n.LastActiveMs {
				t.Fatalf("step %d %v@%v: state %+v starts after its last activity", i, st.op, st.at, n)
			}
			stored = n.Encode()
			if back, ok := Decode(stored); !ok || back != n {
				t.Fatalf("step %d: %+v encodes as %q, decodes as %+v, %v", i, n, stored, back, ok)
			}
			if next := NextTick(cfg, n); n.Open && cfg.Automatic && next <= n.LastActiveMs {
				t.Fatalf("step %d: NextTick %v is not after LastActiveMs %v", i, next, n.LastActiveMs)
			}
		}
	})
}
