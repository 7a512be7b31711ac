package session

// Warning explains why a call was ignored; empty means it was not.
type Warning string

// The warnings of ManualStart and ManualEnd.
const (
	WarnStartAutomatic Warning = "session: trackSessionStart is ignored while automaticSessionTracking is on"
	WarnEndAutomatic   Warning = "session: trackSessionEnd is ignored while automaticSessionTracking is on"
	WarnAlreadyOpen    Warning = "session: trackSessionStart is ignored: a session is open and manualSessionAutoClose is off"
	WarnNotOpen        Warning = "session: trackSessionEnd is ignored: no session is open"
)

// ManualStart is trackSessionStart, for automaticSessionTracking off; now is
// the call's timestamp. A session already open is ended at now first if
// ManualAutoClose is set, and the call is ignored otherwise.
func ManualStart(cfg Config, s State, now float64) (State, []Event, Warning) {
	switch {
	case cfg.Automatic:
		return s, nil, WarnStartAutomatic
	case !usable(now):
		return s, nil, ""
	case !s.Open:
		n, ev := begin(now)
		return n, []Event{ev}, ""
	case !cfg.ManualAutoClose:
		return s, nil, WarnAlreadyOpen
	}
	end := finish(touch(s, now), now)
	n, ev := begin(now)
	return n, []Event{end, ev}, ""
}

// ManualEnd is trackSessionEnd, for automaticSessionTracking off: it ends
// the open session at now.
func ManualEnd(cfg Config, s State, now float64) (State, []Event, Warning) {
	switch {
	case cfg.Automatic:
		return s, nil, WarnEndAutomatic
	case !usable(now):
		return s, nil, ""
	case !s.Open:
		return s, nil, WarnNotOpen
	}
	return State{}, []Event{finish(touch(s, now), now)}, ""
}

// Anonymize is the session part of anonymize(): with automatic tracking it
// ends the open session, tracked for the old customer, at now (the visitor
// is here) or, if it had already expired, at its LastActiveMs. The state is
// reset either way. A manual session is dropped without an event, as the
// Exponea mobile SDKs do; call trackSessionEnd before anonymize to end it.
// The caller then tracks installation and, with automatic tracking, calls
// Shown for the new customer.
func Anonymize(cfg Config, s State, now float64) (State, []Event) {
	if !cfg.Automatic || !s.Open || !usable(now) {
		return State{}, nil
	}
	if expired(cfg, s, now) {
		return State{}, []Event{finish(s, s.LastActiveMs)}
	}
	return State{}, []Event{finish(touch(s, now), now)}
}
