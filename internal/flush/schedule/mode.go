package schedule

import "time"

// Mode is a flush mode, the SDK's flushMode.
type Mode string

// The flush modes.
const (
	// ModeImmediate sends as soon as something is tracked (the default).
	ModeImmediate Mode = "immediate"
	// ModePeriod sends every period, and when the page is hidden.
	ModePeriod Mode = "period"
	// ModeAppClose sends when the page is hidden or closed.
	ModeAppClose Mode = "appClose"
	// ModeManual sends only when flushData is called.
	ModeManual Mode = "manual"
)

// Modes lists the flush modes, the default first.
var Modes = [...]Mode{ModeImmediate, ModePeriod, ModeAppClose, ModeManual}

// Valid reports whether m is one of the four modes.
func (m Mode) Valid() bool {
	for _, v := range Modes {
		if m == v {
			return true
		}
	}
	return false
}

// SendsOnHide reports whether the page-close path sends when the page is
// hidden or unloaded in this mode: every mode but manual, which sends only
// on flushData.
func (m Mode) SendsOnHide() bool { return m != ModeManual }

// The flush period of ModePeriod (the SDK's flushPeriod): its default and
// the bounds a configuration may set.
const (
	DefaultPeriod = time.Hour
	MinPeriod     = time.Millisecond
	MaxPeriod     = 365 * 24 * time.Hour
)

// Trigger is something that happened that may call for a flush.
type Trigger int

// The triggers.
const (
	// Tracked: a record was stored.
	Tracked Trigger = iota
	// Timer: the timer set for Decision.Wake fired.
	Timer
	// Online: the online event.
	Online
	// Offline: the offline event.
	Offline
	// Manual: flushData was called.
	Manual
	// Due: the retry timer set from Result.Next fired: a backoff ended or
	// held-back records became due.
	Due
	// Hidden: the page was hidden or went, and the Go side sends what the
	// page's close path would have (its host outlives the page: a
	// SharedWorker with an extended lifetime).
	Hidden
)
