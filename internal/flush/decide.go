package flush

import (
	"strconv"
	"time"

	"github.com/exponea-wasm/tracker/internal/flush/retry"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// Action is what to do with a batch after its request came back.
type Action int

// The actions Decide can choose.
const (
	// Apply: the server answered 2xx with one result per command; delete
	// the confirmed records and count a rejection for the others.
	Apply Action = iota
	// Split: the server refused the whole batch of several records (400 or
	// another 4xx); send each half on its own to isolate the bad record.
	Split
	// Reject: the server refused a batch of one record; count one
	// rejection for it.
	Reject
	// Pause: the server refused the credentials (401/403) or the endpoint
	// (404); keep everything and send nothing more until a forced flush.
	Pause
	// Retry: no answer, a malformed answer, or 408/429/5xx; keep
	// everything, count no rejection, and back off.
	Retry
)

// Verdict is Decide's answer.
type Verdict struct {
	// Action is what to do.
	Action Action
	// Outcomes holds one outcome per command, for Apply.
	Outcomes []wire.Result
	// Reason is the server's error text, for Reject.
	Reason string
	// RetryAfter is the least wait the server asked for (0: none); it is a
	// minimum for Retry, never a reason to retry sooner than the backoff.
	RetryAfter time.Duration
	// Err describes the failure for every action but Apply: an *HTTPError,
	// or an error matching ErrNetwork.
	Err error
}

// Decide maps the result of sending a batch of n commands, the Sender's
// response and error, to a Verdict at time now. It is a pure function: the
// Flusher does what it says.
//
//	network error, 408, 429, 5xx,       → Retry (honour Retry-After)
//	1xx, 3xx, malformed or mismatched 2xx
//	2xx with n results                  → Apply
//	401, 403, 404                       → Pause
//	other 4xx (400, 413, ...)           → Split if n > 1, else Reject
//
// 404 pauses rather than splits: it says the endpoint (base URL or project
// token) is wrong, which no record can fix, and charging every record a
// rejection for it would drop the whole queue after MaxRetries flushes.
func Decide(resp Response, err error, n int, now time.Time) Verdict {
	if err != nil {
		return Verdict{Action: Retry, Err: &netError{err}}
	}
	s := resp.Status
	ra, _ := retry.ParseAfter(resp.RetryAfter, now)
	herr := func(cause error) *HTTPError {
		return &HTTPError{Status: s, RetryAfter: ra, Reason: wire.ErrorText(resp.Body), Err: cause}
	}
	switch {
	case s >= 200 && s < 300:
		out, perr := wire.ParseResults(resp.Body, n)
		if perr != nil {
			return Verdict{Action: Retry, RetryAfter: ra, Err: &HTTPError{Status: s, RetryAfter: ra, Err: perr}}
		}
		return Verdict{Action: Apply, Outcomes: out}
	case s == 401 || s == 403 || s == 404:
		return Verdict{Action: Pause, Err: herr(nil)}
	case s == 408 || s == 429 || s >= 500:
		return Verdict{Action: Retry, RetryAfter: ra, Err: herr(nil)}
	case s >= 400:
		e := herr(nil)
		if n > 1 {
			return Verdict{Action: Split, Err: e}
		}
		reason := e.Reason
		if reason == "" {
			reason = "HTTP " + strconv.Itoa(s)
		}
		return Verdict{Action: Reject, Reason: reason, Err: e}
	default: // 0 (an opaque response), 1xx, 3xx: nothing usable came back
		return Verdict{Action: Retry, RetryAfter: ra, Err: herr(nil)}
	}
}
