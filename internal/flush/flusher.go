package flush

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush/retry"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// DefaultMaxRetries is how often the server may reject a command before it
// is dropped (the SDK's flushMaxRetries).
const DefaultMaxRetries = 10

// DefaultMaxInFlight is how many requests a Flush keeps on the wire at once
// when there is a backlog. Browsers open at most six connections per host
// over HTTP/1.1; the page's own requests need some. Measured (Chromium, a
// 10,000-event burst to the collector answering each request after 50 ms):
// all delivered in 13.0 s with 1 in flight, 6.9 s with 2, 4.8 s with 4,
// 5.8 s with 6. On loopback without the delay the Worker's own work is the
// limit, and 1 or 4 are within the noise (3.0–4.9 s).
const DefaultMaxInFlight = 4

// Sender puts one batch request on the wire.
type Sender interface {
	// Send POSTs body to the batch endpoint. An error means that no
	// response arrived (network failure, CORS refusal, abort); any HTTP
	// status, even 500, is a Response and a nil error.
	Send(ctx ctxlite.Context, body []byte) (Response, error)
}

// Response is what the server answered to a batch request.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// RetryAfter is the raw Retry-After header ("" if absent).
	RetryAfter string
	// Body is the response body.
	Body []byte
}

// Clock returns the current time; tests inject a fake one.
type Clock func() time.Time

// Config tunes a Flusher. Zero fields take the defaults.
type Config struct {
	// MaxCommands is the most commands per request (wire.MaxCommands).
	MaxCommands int
	// MaxBytes bounds a request body, exclusive (wire.MaxBodyBytes).
	MaxBytes int
	// MaxRetries is how often a command may be rejected before it is
	// dropped (DefaultMaxRetries).
	MaxRetries int
	// BackoffBase is the first and least wait (retry.DefaultBase).
	BackoffBase time.Duration
	// BackoffMax caps the exponential wait (retry.DefaultMax).
	BackoffMax time.Duration
	// MaxInFlight is the most requests a Flush keeps on the wire at once
	// (DefaultMaxInFlight).
	MaxInFlight int
}

func (c Config) withDefaults() Config {
	if c.MaxCommands <= 0 {
		c.MaxCommands = wire.MaxCommands
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = wire.MaxBodyBytes
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = retry.DefaultBase
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = retry.DefaultMax
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	return c
}

// Result tells what one Flush (or Settle) did.
type Result struct {
	// Sent counts commands put on the wire (a command resent while a
	// refused batch is bisected counts each time).
	Sent int
	// Confirmed counts records deleted after the server's success:true.
	Confirmed int
	// Kept counts records still queued at the end (-1: the store could
	// not count them).
	Kept int
	// Dropped counts records given up and deleted.
	Dropped int
	// Requests counts requests made.
	Requests int
	// Next is when to flush again for the records still queued: the end
	// of the backoff, or the earliest time a held-back record becomes due.
	// Zero when nothing known is waiting, or while paused.
	Next time.Time
}

// Flusher sends the queue to the server, up to MaxInFlight requests at
// a time.
//
// Calls to Flush and Settle are serialized: a call made while another runs
// waits for it (or for its own ctx to end), then makes its own pass over
// what is left. A burst of calls therefore coalesces: the waiting calls find
// the records already sent and return without a request.
type Flusher struct {
	store   queue.Store
	dr      queue.DeleteReader // store, if it is one; nil otherwise
	sender  Sender
	cfg     Config
	clock   Clock
	obs     Observer
	records retry.Backoff // delays after a rejection; used under sem
	sem     chan struct{} // held by the running Flush or Settle

	mu   sync.Mutex
	gate gate
	held map[string]time.Time // records sent by other means: id → when they may go again
}

// gate says whether automatic sending may go ahead.
type gate struct {
	state  gateState
	until  time.Time     // backingOff: no automatic request before this
	outage retry.Backoff // counts the consecutive failed requests
}

// gateState is where automatic sending stands.
type gateState int

const (
	// open: send when asked.
	open gateState = iota
	// backingOff: requests failed (network, 408, 429, 5xx); wait until
	// gate.until, and longer after each further failure.
	backingOff
	// paused: the server refused the credentials or the endpoint
	// (401/403/404); only a forced flush (flushData) sends again.
	paused
)

// New returns a Flusher that sends store's records through sender. A nil
// clock means time.Now; a nil jitter draws from math/rand/v2.
func New(store queue.Store, sender Sender, cfg Config, clock Clock, jitter func() float64, obs Observer) *Flusher {
	cfg = cfg.withDefaults()
	if clock == nil {
		clock = time.Now
	}
	if jitter == nil {
		jitter = rand.Float64
	}
	b := retry.Backoff{Base: cfg.BackoffBase, Max: cfg.BackoffMax, Jitter: jitter}
	dr, _ := store.(queue.DeleteReader)
	return &Flusher{
		store: store, dr: dr, sender: sender, cfg: cfg, clock: clock, obs: obs,
		records: b, gate: gate{outage: b}, sem: make(chan struct{}, 1),
	}
}

// Flush sends every due record (NotBeforeMs not after now, not held),
// oldest first, in batch requests (up to MaxInFlight on the wire at once;
// see the package doc), until none is left, a request fails (then it backs
// off), the server pauses sending, or ctx ends. It returns once every
// request it made has been answered and settled.
//
// Without force, Flush sends nothing while backing off after failed
// requests (Result.Next says until when) and nothing while paused after
// the server refused the credentials (returning ErrPaused). With force, as
// for a manual flushData, it ignores the backoff and lifts the pause, but
// still stops at the first failure.
//
// The error is what stopped the pass: an *HTTPError, an error matching
// ErrNetwork, a store error, ErrPaused or ctx's error. Whatever it is, every
// record not confirmed or dropped is still queued.
func (f *Flusher) Flush(ctx ctxlite.Context, force bool) (Result, error) {
	release, err := f.acquire(ctx)
	if err != nil {
		return Result{Kept: -1}, err
	}
	defer release()
	p := &pass{f: f, ctx: ctx, overlap: true}
	if force {
		f.unpause()
	}
	err = p.run(force)
	return p.finish(err)
}

// acquire waits for the running Flush or Settle, if any, to end.
func (f *Flusher) acquire(ctx ctxlite.Context) (release func(), err error) {
	select {
	case f.sem <- struct{}{}:
		return func() { <-f.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Hold keeps the records ids out of every Flush until until, or until
// Settle applies the answer to the request that carried them: the
// page-close path sent them with a keepalive request whose answer may
// still come (the page lived on), and sending them again meanwhile would
// deliver them twice.
func (f *Flusher) Hold(ids []string, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held == nil {
		f.held = make(map[string]time.Time, len(ids))
	}
	for _, id := range ids {
		f.held[id] = until
	}
}

// heldUntil returns until when record id is held (zero: it is not),
// forgetting holds that ended before now.
func (f *Flusher) heldUntil(id string, now time.Time) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	until, ok := f.held[id]
	if ok && !until.After(now) {
		delete(f.held, id)
		return time.Time{}
	}
	return until
}

// release ends the holds of recs.
func (f *Flusher) release(recs []queue.Record) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recs {
		delete(f.held, r.ID)
	}
}

// hold tells whether an automatic request must wait, and why.
func (f *Flusher) hold(now time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.gate.state {
	case paused:
		return true, ErrPaused
	case backingOff:
		return now.Before(f.gate.until), nil
	}
	return false, nil
}

// unpause opens a paused gate, for a forced flush.
func (f *Flusher) unpause() {
	f.mu.Lock()
	if f.gate.state == paused {
		f.gate.state = open
	}
	f.mu.Unlock()
}

func (f *Flusher) succeeded() {
	f.mu.Lock()
	f.gate.outage.Reset()
	f.gate.state, f.gate.until = open, time.Time{}
	f.mu.Unlock()
}

// failed starts or extends the backoff; Retry-After is a minimum.
func (f *Flusher) failed(now time.Time, retryAfter time.Duration) {
	f.mu.Lock()
	f.gate.state, f.gate.until = backingOff, now.Add(max(f.gate.outage.Fail(), retryAfter))
	f.mu.Unlock()
}

// waitAtLeast makes a backoff under way last until t at least (a
// Retry-After that came beside another failure): it counts no further
// failure, and never shortens the wait or lifts a pause.
func (f *Flusher) waitAtLeast(t time.Time) {
	f.mu.Lock()
	if f.gate.state == backingOff && f.gate.until.Before(t) {
		f.gate.until = t
	}
	f.mu.Unlock()
}

func (f *Flusher) pause() {
	f.mu.Lock()
	f.gate.state = paused
	f.mu.Unlock()
}

// next returns when automatic sending may resume after a backoff (zero:
// not backing off, or past it) and whether it is paused.
func (f *Flusher) next(now time.Time) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gate.state == backingOff && f.gate.until.After(now) {
		return f.gate.until, false
	}
	return time.Time{}, f.gate.state == paused
}

func (f *Flusher) storeFailed(err error) error {
	err = &storeError{err}
	f.reportError(err)
	return err
}
