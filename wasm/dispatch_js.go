//go:build js && wasm

package main

import (
	"context"
	"errors"
	"github.com/exponea-wasm/tracker/internal/browser"
	"strconv"
	"time"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// callTimeout bounds the storage work of one batch.
const callTimeout = 15 * time.Second

// dispatch answers the first call(s) of calls and returns how many it
// consumed: a run of trackEvent/identifyCustomer calls is stored in one
// transaction.
func (b *bridge) dispatch(calls []call, r *results) int {
	c := calls[0]
	if c.method != "configure" && b.app == nil {
		r.fail(c.id, "Error", c.method+": call Exponea.configure first")
		return 1
	}
	switch c.method {
	case "configure":
		b.configure(c, r)
	case "trackEvent", "identifyCustomer":
		return b.record(calls, r)
	case "getCustomerCookie":
		r.value(c.id, jsonx.AppendString(nil, b.app.tracker.Cookie()))
	case "setDefaultProperties":
		answer(r, c, nil, b.app.tracker.SetDefaultProperties(c.args))
	case "setFlushMode":
		answer(r, c, nil, b.app.setFlushMode(c.args))
	case "setFlushPeriod":
		answer(r, c, nil, b.app.setFlushPeriod(c.args))
	case "_page":
		b.app.setPage(c.args)
		r.value(c.id, nil)
	case "_keepaliveDone":
		// Store calls wait: settle on a goroutine, answer at once.
		go func() {
			if err := b.app.runner.keepaliveDone(c.args); err != nil {
				browser.ConsoleWarn("keepalive answer: " + err.Error())
			}
		}()
		r.value(c.id, nil)
	case "anonymize":
		answer(r, c, nil, b.app.anonymize(c.time))
	case "trackSessionStart", "trackSessionEnd":
		answer(r, c, nil, b.app.manualSession(c))
	case "getQueueLength":
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		n, err := b.app.store.Len(ctx)
		cancel()
		answer(r, c, strconv.AppendInt(nil, int64(n), 10), err)
	case "getStats":
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		n, bytes, err := b.app.store.Count(ctx)
		cancel()
		v := []byte(`{"length":`)
		v = strconv.AppendInt(v, int64(n), 10)
		v = append(v, `,"bytes":`...)
		v = strconv.AppendInt(v, bytes, 10)
		v = append(v, `,"dropped":`...)
		v = strconv.AppendInt(v, b.app.runner.dropped.Load(), 10)
		v = append(v, `,"storage":`...)
		v = jsonx.AppendString(v, b.app.storageKind)
		v = append(v, `,"wasmMemory":`...)
		v = strconv.AppendInt(v, int64(browser.WasmMemory()), 10)
		answer(r, c, append(v, '}'), err)
	case "flushData":
		// Sending takes network time: answer later, from its own
		// goroutine, so that calls behind it are not held up.
		go func() {
			var out results
			res, err := b.app.runner.flushNow()
			answer(&out, c, flushResultJSON(res), err)
			b.send(&out)
		}()
	default:
		r.fail(c.id, "TypeError", c.method+" is not a method of the tracker")
	}
	return 1
}

// maxCallsPerApply bounds the calls stored per transaction (the loader
// also sends a burst in pieces of this many): in chunks, a burst's first
// records are durable, answered and on their way to the server while the
// rest are still being built, and the Go heap holds one chunk's records at
// a time rather than the whole burst's.
const maxCallsPerApply = 500

// record stores a run of up to maxCallsPerApply trackEvent /
// identifyCustomer calls in one transaction.
func (b *bridge) record(calls []call, r *results) int {
	n := 0
	for n < len(calls) && n < maxCallsPerApply && (calls[n].method == "trackEvent" || calls[n].method == "identifyCustomer") {
		n++
	}
	tcs := make([]tracker.Call, n)
	for i, c := range calls[:n] {
		tcs[i] = tracker.Call{Method: c.method, Args: c.args, Time: c.time}
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	res, stored := b.app.tracker.Apply(ctx, tcs)
	cancel()
	b.app.stored(stored)
	for _, c := range calls[:n] {
		if c.method == "identifyCustomer" {
			b.app.tabs.Post() // other tabs pick up the merged ids
			break
		}
	}
	for i, c := range calls[:n] {
		answer(r, c, nil, res[i].Err)
	}
	return n
}

// answer writes a call's value, or its error with the JavaScript class the
// page should see.
func answer(r *results, c call, v []byte, err error) {
	if err == nil {
		r.value(c.id, v)
		return
	}
	var ie *tracker.InputError
	if errors.As(err, &ie) {
		r.fail(c.id, string(ie.Class), ie.Error())
		return
	}
	r.fail(c.id, "Error", c.method+": "+err.Error())
}

func flushResultJSON(res flush.Result) []byte {
	b := []byte(`{"sent":`)
	b = strconv.AppendInt(b, int64(res.Sent), 10)
	b = append(b, `,"confirmed":`...)
	b = strconv.AppendInt(b, int64(res.Confirmed), 10)
	b = append(b, `,"kept":`...)
	b = strconv.AppendInt(b, int64(res.Kept), 10)
	b = append(b, `,"dropped":`...)
	b = strconv.AppendInt(b, int64(res.Dropped), 10)
	b = append(b, `,"requests":`...)
	b = strconv.AppendInt(b, int64(res.Requests), 10)
	return append(b, '}')
}
