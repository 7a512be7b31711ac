package sdk

import (
	"strconv"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// callTimeout bounds the storage work of one batch.
const callTimeout = 15 * time.Second

// MaxCallsPerApply bounds the calls stored per transaction (the loader
// sends a burst in pieces of this many): in chunks, a burst's first
// records are durable, answered and on their way to the server while the
// rest are still being built, and the heap holds one chunk's records at a
// time rather than the whole burst's.
const MaxCallsPerApply = 500

// dispatch answers the first call(s) of calls and returns how many it
// consumed: a run of trackEvent/identifyCustomer calls is stored in one
// transaction.
func (s *SDK) dispatch(calls []tracker.Call, out *answers) int {
	c := calls[0]
	answer := func(v []byte, err error) { out.add(c.ID, v, err) }
	if c.Method == "configure" {
		answer(s.configure(c))
		return 1
	}
	a := s.app
	if a == nil {
		answer(nil, &CallError{c.Method + ": call Exponea.configure first"})
		return 1
	}
	switch c.Method {
	case "trackEvent", "identifyCustomer":
		return a.record(calls, out)
	case "getCustomerCookie":
		answer(jsonx.AppendString(nil, a.tracker.Cookie()), nil)
	case "setDefaultProperties":
		answer(nil, a.tracker.SetDefaultProperties(c.Args))
	case "setFlushMode":
		answer(nil, a.setFlushMode(c.Args))
	case "setFlushPeriod":
		answer(nil, a.setFlushPeriod(c.Args))
	case "anonymize":
		answer(nil, a.anonymize(c))
	case "trackSessionStart", "trackSessionEnd":
		answer(nil, a.manualSession(c))
	case "grantConsent":
		answer(nil, a.decide(tracker.ConsentGranted))
	case "revokeConsent":
		answer(nil, a.decide(tracker.ConsentDenied))
	case "getQueueLength":
		ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
		n, err := a.store.Len(ctx)
		cancel()
		answer(strconv.AppendInt(nil, int64(n), 10), err)
	case "getStats":
		answer(a.stats())
	case "flushData":
		// Sending takes network time: answer later, from its own
		// goroutine, so that calls behind it are not held up.
		go func() {
			answered := false
			defer func() {
				if p := recover(); p != nil {
					err := s.internalError("flushData", p)
					if !answered {
						s.p.Out.Answers([]Answer{{ID: c.ID, Err: err}})
					}
				}
			}()
			res, err := a.runner.flushNow()
			answered = true
			s.p.Out.Answers([]Answer{{ID: c.ID, Value: flushResultJSON(res), Err: err}})
		}()
	case "_page":
		a.setPage(ParsePageState(c.Args))
	case "_closeSent":
		a.closeSent(c.Args)
	case "_keepaliveDone":
		// Store calls wait: settle on a goroutine, answer at once.
		s.goSafe("settling a keepalive answer", func() {
			if err := a.runner.keepaliveDone(c.Args); err != nil {
				s.p.Log.Warn("keepalive answer: " + err.Error())
			}
		})
	default:
		answer(nil, &tracker.InputError{Class: tracker.TypeError, Method: c.Method, Field: "method", Msg: "is not a method of the tracker"})
		return 1
	}
	if c.Method[0] == '_' {
		answer(nil, nil)
	}
	return 1
}

// answers collects the answers of a run of calls.
type answers []Answer

//go:noinline
func (as *answers) add(id int64, v []byte, err error) {
	*as = append(*as, Answer{ID: id, Value: v, Err: err})
}

// CallError is a call the SDK cannot serve in its state (not configured,
// configured twice); the page sees an Error.
type CallError struct{ Msg string }

func (e *CallError) Error() string { return e.Msg }
