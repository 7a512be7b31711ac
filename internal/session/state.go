package session

import "github.com/exponea-wasm/tracker/internal/jsonx"

// StateKey is the queue.Store state key under which State is stored.
const StateKey = "session"

// State is the session state every tab of an origin shares. Times are Unix
// milliseconds. While Open, StartMs ≤ LastActiveMs always holds; a closed State
// is the zero State.
type State struct {
	Open         bool
	StartMs      float64 // when the open session started
	LastActiveMs float64 // the last activity seen in any visible tab
}

// Encode returns s as the JSON stored under StateKey.
func (s State) Encode() string {
	b := make([]byte, 0, 64)
	b = append(b, `{"open":`...)
	b = appendBool(b, s.Open)
	b = append(b, `,"start":`...)
	b = jsonx.AppendFloat(b, s.StartMs)
	b = append(b, `,"last":`...)
	b = jsonx.AppendFloat(b, s.LastActiveMs)
	return string(append(b, '}'))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// Decode reads a stored State. ok is false for anything Encode cannot have
// written (not an object, a member of the wrong type, an open session that
// starts after its last activity); the caller then carries on from the zero
// State, as if none were stored, rather than failing forever. Unknown
// members are ignored, so a later version may add some.
func Decode(stored string) (s State, ok bool) {
	ms, err := jsonx.Object([]byte(stored))
	if err != nil {
		return State{}, false
	}
	for _, m := range ms {
		switch m.Key {
		case "open":
			s.Open, err = jsonx.Bool(m.Value)
		case "start":
			s.StartMs, err = jsonx.Number(m.Value)
		case "last":
			s.LastActiveMs, err = jsonx.Number(m.Value)
		}
		if err != nil {
			return State{}, false
		}
	}
	if !s.Open {
		return State{}, true
	}
	if s.StartMs > s.LastActiveMs {
		return State{}, false
	}
	return s, true
}
