package sdk

import (
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// Platform is what the SDK needs from where it runs: in a browser the
// wasm entry builds it from internal/browser and internal/idbstore; tests
// build it from fakes. Every field is required unless it says otherwise.
type Platform struct {
	// OpenStore opens the durable queue named name (IndexedDB). On error
	// the SDK queues in memory and says so.
	OpenStore func(ctx ctxlite.Context, name string) (queue.Store, error)
	// NewSender returns the sender of batch requests to endpoint.
	NewSender func(endpoint, authorization string) flush.Sender
	// WithLock runs fn while holding the lock name, shared by every tab of
	// the origin (Web Locks), waiting for it until ctx ends. held is false,
	// and fn is not run, when there are no such locks.
	WithLock func(ctx ctxlite.Context, name string, fn func()) (held bool, err error)
	// JoinTabs joins the channel name between the SDKs of the origin's
	// runtimes (BroadcastChannel); onMessage runs with what another posts
	// (a string; "" for anything else), inside the message event: it must
	// not wait.
	JoinTabs func(name string, onMessage func(msg string)) Tabs
	// Device is what the browser tells about itself (user agent,
	// language); the page reports its screen.
	Device tracker.Device
	// MemoryBytes returns the size of the module's memory, for getStats
	// (nil: 0).
	MemoryBytes func() int
	// Online reports the network state of the global the SDK runs in.
	Online func() bool
	// Clock tells the time and runs timers.
	Clock Clock
	// Jitter returns a number in [0, 1) for the retry backoff.
	Jitter func() float64
	// NewID returns a new UUID v4 (record ids, cookies).
	NewID func() string
	// Log writes warnings and errors for the developer (the console).
	Log Log
	// Out receives the answers to calls and the reports for the page.
	Out Out
}

// Tabs posts to the SDKs of the origin's other runtimes, and the other
// SDKs of this one (tabmsg.go has the messages). Close leaves the channel.
type Tabs interface {
	Post(msg string)
	Close()
}

// Clock tells the time and runs timers; SystemClock is the real one. (Funcs,
// not an interface: an interface method returning a time.Time would keep
// time formatting in the wasm binary.)
type Clock struct {
	Now func() time.Time
	// AfterFunc runs f on its own goroutine after d; stop cancels it and
	// reports whether it did so before f ran.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
}

// SystemClock is the Clock of package time.
var SystemClock = Clock{
	Now:       time.Now,
	AfterFunc: func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
}

// Log writes messages for the developer.
type Log interface {
	Warn(msg string)
	Error(msg string)
	// Debug is for the configuration's debug switch only.
	Debug(msg string)
}

// Out receives what the SDK tells the page. Its methods are called from
// the SDK's goroutines and must not wait.
type Out interface {
	// Answers delivers the outcomes of calls.
	Answers([]Answer)
	// Report delivers a report: one of ReportKinds with its detail as
	// JSON (the page's on() listeners get it), or one the loader keeps for
	// itself, whose kind starts with "_" (see closepath.go). detail is
	// the caller's again once Report returns: copy what must be kept.
	Report(kind string, detail []byte)
	// Flush delivers at once what Answers and Report gave so far, where
	// they would otherwise wait until the runtime next waits: a worker
	// posts them to the page in one message per turn of its event loop,
	// and the Go program gives the turn back only once every goroutine
	// waits. The SDK flushes configure's answer, which the page's ready
	// waits for, before the work it leaves for after it (the calls handed
	// over with it, the installation event, the session start).
	Flush()
}

// Answer is the outcome of one call: its value as JSON (nil for none), or
// the error it failed with (a *tracker.InputError for bad input).
type Answer struct {
	ID    int64
	Value []byte
	Err   error
}

// The kinds of report the page can listen to, with Client.on.
const (
	ReportFlush = "flush" // a batch was answered 2xx
	ReportError = "error" // a request or a store call failed
	ReportDrop  = "drop"  // a record was given up
)

// ReportKinds lists the reports the page can listen to.
var ReportKinds = [...]string{ReportFlush, ReportError, ReportDrop}
