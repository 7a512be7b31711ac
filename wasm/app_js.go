//go:build js && wasm

package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/idbstore"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
	"github.com/google/uuid"
)

// app is the configured SDK of this page.
type app struct {
	cfg         tracker.Config
	store       queue.Store
	storageKind string // "indexeddb" or "memory"
	tracker     *tracker.Tracker
	mirror      *queue.Mirror
	runner      *runner
	sessions    *sessions
	tabs        *browser.Channel // tells the other tabs of identity changes

	pageMu sync.Mutex
	page   tracker.PageState // as the loader last reported it
}

// configure opens the store and the tracker and starts flushing. Its value
// is what the loader mirrors for the synchronous getters.
func (b *bridge) configure(c call, r *results) {
	if b.app != nil {
		r.fail(c.id, "Error", "configure: already configured")
		return
	}
	raw, page := tracker.SplitConfigure(c.args)
	cfg, err := tracker.ParseConfig(raw)
	if err != nil {
		answer(r, c, nil, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	a := &app{cfg: cfg, mirror: queue.NewMirror(0), page: page}
	a.store, a.storageKind = openStore(ctx, cfg.DBName)
	// Records stored before the drop handler is set (the installation
	// event) cannot be evicted: the queue was just counted.
	dev := browser.ReadDevice()
	dev.ScreenWidth, dev.ScreenHeight = page.ScreenWidth, page.ScreenHeight
	tr, recs, err := tracker.Open(ctx, a.store, cfg, dev, uuid.NewString, nowMillis())
	if err != nil {
		answer(r, c, nil, err)
		return
	}
	a.tracker = tr
	a.runner = newRunner(a, b)
	tr.SetDropHandler(func(rec queue.Record, reason string) {
		a.runner.onDrop(flush.DropReport{ID: rec.ID, Kind: rec.Kind, Reason: reason, Rejections: rec.Rejections})
	})
	a.sessions = newSessions(a, b)
	a.tabs = browser.NewChannel(cfg.DBName, func() { b.later(a.refresh) })
	b.app = a
	a.stored(recs)
	a.runner.start()
	a.sessions.start()
	r.value(c.id, a.describe())
}

// openStore opens IndexedDB, or falls back to memory with a warning: the
// page keeps working, but the queue dies with it.
func openStore(ctx context.Context, name string) (queue.Store, string) {
	db, err := idbstore.Open(ctx, name)
	if err == nil {
		return db, "indexeddb"
	}
	browser.ConsoleWarn("IndexedDB is unavailable (" + err.Error() + "); events are queued in memory and are lost if the page closes before they are sent")
	return queue.NewMemory(), "memory"
}

// stored tells the mirror and the flusher about newly stored records.
func (a *app) stored(recs []queue.Record) {
	if len(recs) == 0 {
		return
	}
	a.mirror.Add(recs)
	a.runner.emitStored(recs)
	a.runner.trigger(flush.Tracked)
}

// pageState returns the page as the loader last reported it.
func (a *app) pageState() tracker.PageState {
	a.pageMu.Lock()
	defer a.pageMu.Unlock()
	return a.page
}

// setPage takes the loader's report of a visibility change (_page).
func (a *app) setPage(args []byte) {
	p := tracker.ParsePageState(args)
	a.pageMu.Lock()
	was, wasOnline := a.page.Visible, a.page.Online
	a.page = p
	a.pageMu.Unlock()
	if p.Online != wasOnline {
		a.runner.setOnline(p.Online)
	}
	switch {
	case p.Visible && !was:
		a.runner.visible()
		a.sessions.shown()
	case !p.Visible && was:
		a.sessions.hidden()
	}
}

func (a *app) describe() []byte {
	b := []byte(`{"cookie":`)
	b = jsonx.AppendString(b, a.tracker.Cookie())
	b = append(b, `,"storage":`...)
	b = jsonx.AppendString(b, a.storageKind)
	b = append(b, `,"flushMode":`...)
	b = jsonx.AppendString(b, string(a.runner.mode()))
	b = append(b, `,"flushPeriod":`...)
	b = jsonx.AppendFloat(b, float64(a.runner.period().Milliseconds()))
	b = append(b, `,"closeUrl":`...)
	b = jsonx.AppendString(b, a.runner.closeURL)
	b = append(b, `,"defaultProperties":`...)
	b = append(b, a.tracker.DefaultProperties()...)
	return append(b, '}')
}

func (a *app) setFlushMode(args []byte) error {
	s, err := jsonx.String(args)
	if err == nil {
		err = tracker.CheckFlushMode("setFlushMode", s)
	} else {
		err = &tracker.InputError{Class: tracker.TypeError, Method: "setFlushMode", Field: "mode", Msg: "must be a string"}
	}
	if err != nil {
		return err
	}
	a.runner.setMode(flush.Mode(s))
	return nil
}

func (a *app) setFlushPeriod(args []byte) error {
	ms, err := jsonx.Number(args)
	if err != nil {
		return &tracker.InputError{Class: tracker.TypeError, Method: "setFlushPeriod", Field: "period", Msg: "must be a number of milliseconds"}
	}
	if ms < 1 || ms > 365*24*3600*1000 {
		return &tracker.InputError{Class: tracker.RangeError, Method: "setFlushPeriod", Field: "period", Msg: "must be between 1 and 31536000000 milliseconds"}
	}
	a.runner.setPeriod(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

func nowMillis() float64 { return float64(time.Now().UnixMicro()) / 1000 }

func jitter() float64 { return rand.Float64() }
