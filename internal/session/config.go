package session

import "time"

// Config is the part of the tracker's configuration that the rules read.
type Config struct {
	// Timeout is sessionTimeout: how long every tab must have been hidden
	// or closed before the session ends. Values under two heartbeats at
	// MinHeartbeat act as that (see IdleLimit); negative values act as 0.
	Timeout time.Duration
	// Automatic is automaticSessionTracking: the automatic transitions
	// (Shown, Active, Hidden, Tick) act only when it is set, and the manual
	// ones only when it is not.
	Automatic bool
	// ManualAutoClose is manualSessionAutoClose: a ManualStart while a
	// session is open ends that session first instead of being ignored.
	ManualAutoClose bool
}

// The sessionTimeout: its default (the Exponea SDK's) and the longest a
// configuration may set.
const (
	DefaultTimeout = 60 * time.Second
	MaxTimeout     = 365 * 24 * time.Hour
)

const (
	// MinHeartbeat and MaxHeartbeat bound HeartbeatInterval.
	MinHeartbeat = time.Second
	MaxHeartbeat = 30 * time.Second
)

// HeartbeatInterval is how often a visible tab should call Active:
// Timeout/2, kept within [MinHeartbeat, MaxHeartbeat]. A visible tab proves
// it is there only by its heartbeat, so the last heartbeat of a visible tab
// is at most half the IdleLimit old and no Tick can end its session.
func HeartbeatInterval(cfg Config) time.Duration {
	return min(max(cfg.Timeout/2, MinHeartbeat), MaxHeartbeat)
}

// IdleLimit is the inactivity after which a session is over: the Timeout,
// but at least twice the HeartbeatInterval (so at least 2 × MinHeartbeat).
// A sessionTimeout of 0 thus ends the session 2 s after the last tab was
// hidden (the session_end still carries the moment it was hidden), and a
// return within those 2 s continues it; a limit any shorter would end the
// session of a tab that is still visible between two heartbeats.
func IdleLimit(cfg Config) time.Duration {
	return max(cfg.Timeout, 2*HeartbeatInterval(cfg))
}

// idle is IdleLimit in milliseconds.
func idle(cfg Config) float64 {
	return float64(IdleLimit(cfg)) / float64(time.Millisecond)
}
