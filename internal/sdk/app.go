package sdk

import (
	"strconv"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/sdk/closepath"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/flush/schedule"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// app is the configured SDK of this page.
type app struct {
	s           *SDK
	cfg         tracker.Config
	store       queue.Store
	storageKind string // "indexeddb" or "memory"
	tracker     *tracker.Tracker
	runner      *runner
	sessions    *sessions
	close       *closepath.Path
	tabs        Tabs // tells the other tabs of identity changes

	pageMu sync.Mutex
	page   PageState // as the loader last reported it

	customerIDs string // as last told to the loader (_identity)

	consentMu sync.Mutex
	consent   string // tracker.ConsentGranted, …Pending or …Denied
}

// startKeys are the state keys configure reads in its snapshot: the
// identity first (where tracker.OpenFrom reads it), then the consent
// decision (snapConsent, where initConsent does).
var startKeys = []string{tracker.StateCustomer, stateConsent}

const snapConsent = 1

// configure opens the store and the tracker and starts flushing. Its value
// is what the loader keeps for the synchronous getters.
func (s *SDK) configure(c tracker.Call) ([]byte, error) {
	if s.app != nil {
		return nil, &CallError{"configure: already configured"}
	}
	args := ParseConfigureArgs(c.Args)
	page := args.Page
	cfg, err := tracker.ParseConfig(args.Config)
	if err != nil {
		return nil, err
	}
	cfg.Debug = cfg.Debug || args.Debug
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	a := &app{s: s, cfg: cfg, page: page}
	opening := s.p.Clock.Now()
	a.store, a.storageKind = s.openStore(ctx, cfg.DBName)
	openMs := s.p.Clock.Now().Sub(opening).Milliseconds()
	dev := s.p.Device
	dev.ScreenWidth, dev.ScreenHeight = page.ScreenWidth, page.ScreenHeight
	installAt := unixMs(s.p.Clock.Now())
	// One transaction reads the queue's size, the identity and the consent
	// decision, and stores what a start must first (a new visitor's
	// identity, a consent decision the configuration makes); a start that
	// finds them all (every page after a visitor's first) writes nothing.
	var snap *queue.Snapshot
	if sn, ok := a.store.(queue.Snapshotter); ok {
		ensureID, consent := tracker.EnsureIdentity(s.p.NewID), consentInit(cfg.Consent)
		init := func(i int, old string, ok bool) (string, bool) {
			if i == snapConsent {
				return consent(old, ok)
			}
			return ensureID(old, ok)
		}
		if v, err := sn.Snapshot(ctx, startKeys, init); err == nil {
			snap = &v
		} // else each read again on its own, and fails with its own error
	}
	tr, err := tracker.OpenFrom(ctx, a.store, cfg, dev, s.p.NewID, snap)
	if err != nil {
		discard(a.store) // the loader starts a Go side again, which opens its own
		return nil, err
	}
	a.tracker = tr
	a.close = closepath.New(closepath.BatchURL(cfg.BaseURL, cfg.ProjectToken), cfg.Authorization, s.p.Out.Report)
	if a.close.URL == "" {
		s.p.Log.Warn("authorization other than 'Token …' cannot be sent at page close (a keepalive request cannot carry an Authorization header without a CORS preflight); what is unsent when a page closes goes out with the next page's flush")
	}
	a.runner = newRunner(a)
	if sh, ok := a.store.(sharedQueue); ok {
		sh.Join(peer{a})
	}
	a.takeOver(ctx, args.Kept, args.InFlight)
	tr.SetDropHandler(func(rec queue.Record, reason string) {
		a.runner.onDrop(flush.DropReport{ID: rec.ID, Kind: rec.Kind, Reason: reason, Rejections: rec.Rejections})
	})
	a.sessions = newSessions(a)
	a.consent = tracker.ConsentGranted // until initConsent: the records of Open are kept
	if err := a.initConsent(ctx, snap); err != nil {
		discard(a.store)
		return nil, err
	}
	a.tabs = s.p.JoinTabs(cfg.DBName, func(msg string) { s.later(func() { a.heard(msg) }) })
	s.later(a.dropOldMarks) // housekeeping: after the calls handed over with configure
	s.app = a
	a.runner.start()
	// The installation event (once per customer), then the session start,
	// after configure has answered (and after the calls handed over with
	// it): ready need not wait for their transactions.
	s.later(func() { a.install(installAt) })
	s.later(a.sessions.start)
	// What the loader keeps, and for its start-up figures the time spent
	// opening the store.
	v := a.describe()
	v = append(v[:len(v)-1], `,"openMs":`...)
	v = strconv.AppendInt(v, openMs, 10)
	if openedEarly(a.store) {
		v = append(v, `,"openedEarly":true`...)
	}
	return append(v, '}'), nil
}

// install tracks the installation event, timed at configure, unless this
// customer has one (or consent is denied: nothing of the visitor's is
// kept). Failing, it warns: the next configure tries again.
func (a *app) install(atMs float64) {
	if a.denied() {
		return
	}
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	recs, err := a.tracker.Install(ctx, atMs)
	if err != nil {
		a.s.p.Log.Warn("installation: " + err.Error())
		return
	}
	a.stored(recs)
}

// finish sends what the page's close path would have, where the page
// leaves it to the Go side (SDK.Finish): in every flush mode but manual.
func (a *app) finish() {
	// Offline (as the page last said) nothing goes: the records stay for
	// the next page, as the close path would have kept them.
	if !a.runner.sched.Mode().SendsOnHide() || !a.granted() || !a.runner.online.Load() {
		return
	}
	res, err := a.runner.send(false)
	if a.cfg.Debug {
		a.debugFlush(res, err)
	}
}

// shutdown ends the app (SDK.Close): the timers stop, the flush loop ends
// once the send under way has been answered, and the tab channel and the
// store close.
func (a *app) shutdown() {
	a.sessions.stop()
	a.runner.stop()
	a.tabs.Close()
	a.store.Close()
}

// openStore opens the durable queue, or falls back to memory with a
// warning: the page keeps working, but the queue dies with it.
func (s *SDK) openStore(ctx ctxlite.Context, name string) (queue.Store, string) {
	db, err := s.p.OpenStore(ctx, name)
	if err == nil {
		return db, "indexeddb"
	}
	s.p.Log.Warn("IndexedDB is unavailable (" + err.Error() + "); events are queued in memory and are lost if the page closes before they are sent")
	return queue.NewMemory(), "memory"
}

// discard closes a store configure failed in, so that the SDK started
// again opens a connection of its own rather than the runtime's shared one
// (Stores keeps that open after its last SDK closes).
func discard(s queue.Store) {
	if d, ok := s.(interface{ Discard() }); ok {
		d.Discard()
	}
	s.Close()
}

// online tells whether both the SDK's global and the page say so, at the
// start; after that, the last change either reports decides (a Worker's
// navigator.onLine is not always kept in step with the page's).
func (a *app) online() bool { return a.s.online.Load() && a.pageState().Online }

// sharedQueue is a store shared by the SDKs of one runtime (Stores): what
// one of them confirms, gives up or sees sent at close, all of them know.
type sharedQueue interface {
	Join(p Peer)
	Peer
}

// peer is the app as a Peer of the others on its store.
type peer struct{ a *app }

func (p peer) Gone(ids []string)                  { p.a.close.Gone(ids) }
func (p peer) Hold(ids []string, until time.Time) { p.a.runner.fl.Hold(ids, until) }

// peers are the SDKs that must know what this one does to records: every
// one sharing its store, or just this one.
func (a *app) peers() Peer {
	if sh, ok := a.store.(sharedQueue); ok {
		return sh
	}
	return peer{a}
}

// gone tells the close path that records were confirmed or given up:
// every page's sharing the store, and the other runtimes' (whose flushers
// send from the same queue: a record one of them sent must leave the copy
// of the page that stored it, or that page sends it again at close).
func (a *app) gone(ids []string) {
	if len(ids) == 0 {
		return
	}
	a.peers().Gone(ids)
	a.tell(goneMessage(ids))
}

// hold keeps records out of the flusher's sends until until: every SDK's
// sharing the store. Not the other runtimes': the hold of a page that sent
// at close and is gone is never settled, so there it would only keep the
// records waiting closeHold while the next pages of a visit come and go
// and send them at their own close. (Tried: WebKit's walks under the
// dedicated Worker host could not tell either way; their duplicates vary
// as much between runs of the same build.)
func (a *app) hold(ids []string, until time.Time) { a.peers().Hold(ids, until) }

// tell posts msg to the SDKs of the other runtimes (and, again, to those
// of this one).
func (a *app) tell(msg string) {
	if a.tabs != nil {
		a.tabs.Post(msg)
	}
}

// heard handles what another SDK posted (tabmsg.go): a change to the
// shared state is reread; records it confirmed or gave up leave this
// page's close path, if its copy holds them.
func (a *app) heard(msg string) {
	switch kind, ids := parseTab(msg); kind {
	case tabGone:
		a.close.GoneHeld(ids)
	default:
		a.refresh()
	}
}

// takeOver takes on what the page's close path holds from the SDK before
// this one (a page back from the back/forward cache, whose SDK was closed
// when it was hidden): what its keepalive requests still carry is held
// out of this SDK's sends, as closeSent does; the records of its copy
// still queued join this SDK's copy, so that the answers to those requests
// settle them; those no longer queued (another page's SDK sent them
// meanwhile) the page forgets, or it would send them again at close.
func (a *app) takeOver(ctx ctxlite.Context, kept, inFlight []string) {
	if len(inFlight) > 0 {
		a.hold(inFlight, a.s.p.Clock.Now().Add(closeHold))
	}
	if len(kept) == 0 {
		return
	}
	want := make(map[string]bool, len(kept))
	for _, id := range kept {
		want[id] = true
	}
	var found []queue.Record
	for after := int64(0); len(want) > 0; {
		recs, err := a.store.Oldest(ctx, after, 500)
		if err != nil {
			a.s.p.Log.Warn("the page's close path copy: " + err.Error())
			return // the page keeps its copy: a record sent twice at worst
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if want[r.ID] {
				found = append(found, r)
				delete(want, r.ID)
			}
		}
		after = recs[len(recs)-1].Seq
	}
	a.close.Adopt(found)
	gone := make([]string, 0, len(want))
	for _, id := range kept {
		if want[id] {
			gone = append(gone, id)
		}
	}
	a.close.Gone(gone)
}

// stored tells the close path and the flusher about newly stored records.
func (a *app) stored(recs []queue.Record) {
	if len(recs) == 0 {
		return
	}
	a.close.Stored(recs)
	a.runner.trigger(schedule.Tracked)
}

// record stores a run of trackEvent / identifyCustomer calls in one
// transaction — up to MaxCallsPerApply, but never part of a journal entry:
// an entry is stored once, so what of it came in a later transaction would
// be taken for stored — and answers them.
func (a *app) record(calls []tracker.Call, out *answers) int {
	isRun := func(c tracker.Call) bool { return c.Method == "trackEvent" || c.Method == "identifyCustomer" }
	n := 0
	for n < len(calls) && isRun(calls[n]) {
		m := n + 1 // the end of the entry starting at n
		if e := calls[n].Entry; e != "" {
			for m < len(calls) && calls[m].Entry == e && isRun(calls[m]) {
				m++
			}
		}
		if n > 0 && m > MaxCallsPerApply {
			break
		}
		n = m
	}
	if a.denied() {
		a.dropped(calls[:n], out)
		return n
	}
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	start := a.s.p.Clock.Now()
	res, stored := a.tracker.Apply(ctx, calls[:n])
	cancel()
	a.stored(stored)
	if a.cfg.Debug {
		ms := a.s.p.Clock.Now().Sub(start).Milliseconds()
		a.debug("stored " + strconv.Itoa(len(stored)) + " records of " + strconv.Itoa(n) + " calls in " + strconv.FormatInt(ms, 10) + " ms")
	}
	for _, c := range calls[:n] {
		if c.Method == "identifyCustomer" {
			a.tabs.Post(tabChanged) // other tabs pick up the merged ids
			a.identityChanged()
			break
		}
	}
	for i, c := range calls[:n] {
		out.add(c.ID, nil, res[i].Err)
	}
	return n
}

// identityChanged tells the loader the customer_ids of the commands tracked
// from now on, if they changed: the close path builds commands on the page
// for calls not yet stored, with these ids.
func (a *app) identityChanged() {
	ids := string(a.tracker.CustomerIDs())
	if ids == a.customerIDs {
		return
	}
	a.customerIDs = ids
	a.s.p.Out.Report("_identity", []byte(ids))
}

// pageState returns the page as the loader last reported it.
func (a *app) pageState() PageState {
	a.pageMu.Lock()
	defer a.pageMu.Unlock()
	return a.page
}

// setPage takes the loader's report of a visibility or network change.
func (a *app) setPage(p PageState) {
	a.pageMu.Lock()
	was, wasOnline := a.page.Visible, a.page.Online
	a.page = p
	a.pageMu.Unlock()
	if p.Online != wasOnline {
		a.runner.setOnline(p.Online)
	}
	switch {
	case p.Visible && !was:
		a.runner.trigger(schedule.Timer) // immediate mode: what waits goes out now
		a.sessions.shown()
	case !p.Visible && was:
		a.sessions.hidden()
		if p.HostSends {
			a.runner.trigger(schedule.Hidden)
		}
	}
}

// describe is configure's value: what the loader keeps for the
// synchronous getters and the close path.
func (a *app) describe() []byte {
	b := []byte(`{"cookie":`)
	b = jsonx.AppendString(b, a.tracker.Cookie())
	b = append(b, `,"storage":`...)
	b = jsonx.AppendString(b, a.storageKind)
	b = append(b, `,"flushMode":`...)
	b = jsonx.AppendString(b, string(a.runner.sched.Mode()))
	b = append(b, `,"flushPeriod":`...)
	b = jsonx.AppendFloat(b, float64(a.runner.sched.Period().Milliseconds()))
	b = append(b, `,"closeUrl":`...)
	b = jsonx.AppendString(b, a.close.URL)
	b = append(b, `,"consent":`...)
	b = jsonx.AppendString(b, a.consentNow())
	b = append(b, `,"defaultProperties":`...)
	b = append(b, a.tracker.DefaultProperties()...)
	// As a string: the loader needs the object's exact text (a parsed
	// object moves names that are array indices to the front).
	a.customerIDs = string(a.tracker.CustomerIDs())
	b = append(b, `,"customerIds":`...)
	b = jsonx.AppendString(b, a.customerIDs)
	return append(b, '}')
}

func (a *app) setFlushMode(args []byte) error {
	s, err := jsonx.String(args)
	if err != nil {
		return &tracker.InputError{Class: tracker.TypeError, Method: "setFlushMode", Field: "mode", Msg: "must be a string"}
	}
	mode, err := tracker.ParseFlushMode("setFlushMode", s)
	if err != nil {
		return err
	}
	a.runner.setMode(mode)
	return nil
}

func (a *app) setFlushPeriod(args []byte) error {
	d, err := tracker.ParseFlushPeriod("setFlushPeriod", "period", args)
	if err != nil {
		return err
	}
	a.runner.setPeriod(d)
	return nil
}

// stats is getStats' value.
func (a *app) stats() ([]byte, error) {
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	n, bytes, err := a.store.Count(ctx)
	cancel()
	if err != nil {
		return nil, err
	}
	mem := 0
	if a.s.p.MemoryBytes != nil {
		mem = a.s.p.MemoryBytes()
	}
	v := []byte(`{"length":`)
	v = strconv.AppendInt(v, int64(n), 10)
	v = append(v, `,"bytes":`...)
	v = strconv.AppendInt(v, bytes, 10)
	v = append(v, `,"dropped":`...)
	v = strconv.AppendInt(v, a.runner.dropped.Load(), 10)
	v = append(v, `,"storage":`...)
	v = jsonx.AppendString(v, a.storageKind)
	v = append(v, `,"wasmMemory":`...)
	v = strconv.AppendInt(v, int64(mem), 10)
	return append(v, '}'), nil
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
