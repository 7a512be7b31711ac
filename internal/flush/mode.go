package flush

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

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

// DefaultPeriod is the default flush period of ModePeriod (the SDK's
// flushPeriod, 3,600,000 ms).
const DefaultPeriod = time.Hour

var errMode = errors.New("flush: unknown flush mode")

// ParseMode returns the Mode named s; case does not matter. The error names
// the accepted values.
func ParseMode(s string) (Mode, error) {
	for _, m := range [...]Mode{ModeImmediate, ModePeriod, ModeAppClose, ModeManual} {
		if strings.EqualFold(s, string(m)) {
			return m, nil
		}
	}
	return "", errors.New(errMode.Error() + " " + strconv.Quote(s) + `; want "immediate", "period", "appClose" or "manual"`)
}

// Valid reports whether m is one of the four modes.
func (m Mode) Valid() bool {
	switch m {
	case ModeImmediate, ModePeriod, ModeAppClose, ModeManual:
		return true
	}
	return false
}

// Trigger is something that happened that may call for a flush.
type Trigger int

// The triggers.
const (
	// Tracked: a record was stored.
	Tracked Trigger = iota
	// Timer: the timer set for Decision.Wake fired.
	Timer
	// Hidden: visibilitychange to hidden.
	Hidden
	// PageHide: the pagehide event.
	PageHide
	// Online: the online event.
	Online
	// Offline: the offline event.
	Offline
	// Manual: flushData was called.
	Manual
	// Due: the retry timer set from Result.Next (or Flusher.NextAttempt)
	// fired: a backoff ended or held-back records became due.
	Due
)

var triggerNames = [...]string{"Tracked", "Timer", "Hidden", "PageHide", "Online", "Offline", "Manual", "Due"}

// String returns the trigger's name.
func (t Trigger) String() string {
	if t >= 0 && int(t) < len(triggerNames) {
		return triggerNames[t]
	}
	return "Trigger(" + strconv.Itoa(int(t)) + ")"
}
