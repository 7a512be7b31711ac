package tracker

import (
	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/session"
)

// Page is what the page reports about itself for session_start.
type Page struct {
	URL      string
	Referrer string
}

// Step is a session transition (session.Shown, session.Active, ...).
type Step func(session.Config, session.State, float64) (session.State, []session.Event)

// Session runs step on the shared session state, atomically across tabs,
// and stores the session events it produced. It returns the stored records
// and the new state.
func (t *Tracker) Session(ctx ctxlite.Context, step Step, nowMs float64, page Page) ([]queue.Record, session.State, error) {
	recs, st, _, err := t.session(ctx, func(c session.Config, s session.State, nowMs float64) (session.State, []session.Event, session.Warning) {
		s, evs := step(c, s, nowMs)
		return s, evs, ""
	}, nowMs, page)
	return recs, st, err
}

// ManualSession is trackSessionStart (start) or trackSessionEnd. A warning
// says why nothing was tracked.
func (t *Tracker) ManualSession(ctx ctxlite.Context, start bool, nowMs float64, page Page) ([]queue.Record, session.Warning, error) {
	step := session.ManualEnd
	if start {
		step = session.ManualStart
	}
	recs, _, warn, err := t.session(ctx, step, nowMs, page)
	return recs, warn, err
}

func (t *Tracker) session(ctx ctxlite.Context, step func(session.Config, session.State, float64) (session.State, []session.Event, session.Warning), now float64, page Page) ([]queue.Record, session.State, session.Warning, error) {
	cfg := t.cfg.Session
	var (
		evs  []session.Event
		st   session.State
		warn session.Warning
	)
	_, err := t.store.UpdateState(ctx, session.StateKey, func(old string, ok bool) (string, bool) {
		s, _ := session.Decode(old)
		st, evs, warn = step(cfg, s, now)
		v := st.Encode()
		return v, v != old
	})
	if err != nil || len(evs) == 0 {
		return nil, st, warn, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	recs := t.sessionRecords(evs, page)
	stored, err := t.append(ctx, recs)
	return stored, st, warn, err
}

// sessionRecords builds session_start / session_end records for the current
// customer: device properties (and the page's attribution for a start) under
// the default properties.
func (t *Tracker) sessionRecords(evs []session.Event, page Page) []queue.Record {
	ids := t.id.CustomerIDs()
	recs := make([]queue.Record, 0, len(evs))
	for _, e := range evs {
		props := t.device.Properties()
		if e.Kind == session.Start {
			props = append(props, session.Attribution(page.URL, page.Referrer)...)
		} else {
			props = append(props, jsonx.Member{Key: "duration", Value: jsonx.AppendFloat(nil, e.DurationSec)})
		}
		recs = append(recs, t.eventRecord(ids, jsonx.AppendString(nil, e.Kind.String()), e.AtMs/1000, Merge(t.defaults, props), e.AtMs))
	}
	return recs
}

// Anonymize ends the open session (automatic tracking), switches every tab
// of the origin to a new customer — new cookie, no ids, not installed —
// and tracks its installation and, with automatic tracking, its
// session_start. Records already queued keep the ids they were tracked with.
func (t *Tracker) Anonymize(ctx ctxlite.Context, nowMs float64, page Page) ([]queue.Record, error) {
	ended, _, err := t.Session(ctx, session.Anonymize, nowMs, page)
	if err != nil {
		return nil, err
	}
	fresh := Identity{Cookie: t.newID()}
	val, err := t.store.UpdateState(ctx, StateCustomer, func(string, bool) (string, bool) {
		return fresh.Encode(), true
	})
	if err != nil {
		return ended, err
	}
	t.mu.Lock()
	t.id, _ = DecodeIdentity(val)
	t.mu.Unlock()
	installed, err := t.Install(ctx, nowMs)
	recs := append(ended, installed...)
	if err != nil || !t.cfg.Session.Automatic {
		return recs, err
	}
	started, _, err := t.Session(ctx, session.Shown, nowMs, page)
	return append(recs, started...), err
}

// Refresh reloads the identity another tab may have changed (identify,
// anonymize); it returns whether the cookie changed.
func (t *Tracker) Refresh(ctx ctxlite.Context) (bool, error) {
	val, ok, err := t.store.GetState(ctx, StateCustomer)
	if err != nil || !ok {
		return false, err
	}
	id, good := DecodeIdentity(val)
	if !good {
		return false, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := id.Cookie != t.id.Cookie
	t.id = id
	return changed, nil
}
