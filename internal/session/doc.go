// Package session holds the session rules of the tracker: when to track
// session_start and session_end. It is pure (no syscall/js, no build tags,
// no clock): every rule is a function from the stored State, the Config and
// a time in Unix milliseconds to the new State and the Events to track, in
// order.
//
// # One session for every tab
//
// State is shared by every tab of an origin, stored as JSON (Encode,
// Decode) under StateKey. A binding runs each transition inside
// queue.Store.UpdateState, which reads the latest stored value and writes
// the result atomically across tabs; the transitions are pure and fast, as
// UpdateState requires. UpdateState is the arbiter: when two tabs are shown
// at once, the first transaction starts the session and the second reads an
// open, fresh session and only records activity, so one session_start is
// tracked. The binding tracks the returned events only after its write
// committed, for the customer it is tracking for.
//
// # Activity and the idle limit
//
// A visible tab calls Active every HeartbeatInterval (Timeout/2, within 1 s
// and 30 s); a tab calls Shown when it loads or becomes visible, Hidden when
// it is hidden or closed (visibilitychange, pagehide). Each of these sets
// LastActiveMs. Hidden tabs do not heartbeat, so once every tab is hidden or
// closed LastActiveMs stops moving, and the session is over when it is
// IdleLimit old: the Timeout, but never less than two heartbeats (2 × MinHeartbeat,
// 2 s). A Timeout of 0 therefore ends the session 2 s after the last tab was
// hidden; a shorter limit would end, and the next heartbeat restart, the
// session of a tab that is still visible. Every tab keeps a timer at
// NextTick (LastActiveMs + IdleLimit) and calls Tick, so a tab still alive in
// the background ends the session on time; if none is (the browser was
// closed), the next Shown ends it first. Either way session_end is stamped
// with LastActiveMs, the moment the visitor left, and carries the duration
// from Start to it, not to when the end was noticed.
//
// # Clock
//
// Times come from the visitor's clock, which may go back, and a tab's
// reading may be a little older than the state it is applied to. A time
// before LastActiveMs is never an expiry: it counts as activity at that time
// (LastActiveMs moves back, Start too if it was later), so durations are never
// negative and a session still ends an idle limit after the last activity.
// A clock that jumps forward looks like a gap, and ends the session at its
// last activity.
//
// # Transitions
//
// With automatic tracking on ("fresh" = now − LastActiveMs < IdleLimit):
//
//	transition  stored state  events                          new state
//	Shown       closed        Start@now                       open, Start=LastActiveMs=now
//	Shown       open, fresh   —                               LastActiveMs=now
//	Shown       open, expired End@LastActiveMs, Start@now       open, Start=LastActiveMs=now
//	Active      (as Shown)
//	Hidden      closed        —                               closed
//	Hidden      open, fresh   —                               LastActiveMs=now
//	Hidden      open, expired End@LastActiveMs                  closed
//	Tick        open, expired End@LastActiveMs                  closed
//	Tick        otherwise     —                               unchanged (clock back: LastActiveMs=now)
//	Anonymize   open, fresh   End@now                         closed
//	Anonymize   open, expired End@LastActiveMs                  closed
//	ManualStart any           — (WarnStartAutomatic)          unchanged
//	ManualEnd   any           — (WarnEndAutomatic)            unchanged
//
// With automatic tracking off, Shown, Active, Hidden and Tick change
// nothing, and:
//
//	ManualStart closed        Start@now                       open, Start=LastActiveMs=now
//	ManualStart open          End@now, Start@now              open (ManualAutoClose)
//	ManualStart open          — (WarnAlreadyOpen)             unchanged (not ManualAutoClose)
//	ManualEnd   open          End@now                         closed
//	ManualEnd   closed        — (WarnNotOpen)                 closed
//	Anonymize   any           —                               closed
//
// End's Duration is (At − Start)/1000 seconds. Anonymize never starts a
// session: the binding tracks the new customer's installation and then, with
// automatic tracking, calls Shown.
//
// # Attribution
//
// Attribution returns the properties of session_start about where the
// visit came from: UTM parameters, gclid and fbclid from the page's query,
// and the referrer, parsed by hand to keep net/url out of the wasm binary.
package session
