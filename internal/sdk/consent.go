package sdk

import (
	"github.com/exponea-wasm/tracker/internal/ctxlite"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/flush/schedule"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// Consent. While it is pending, calls are kept — journaled, queued — but
// nothing is sent, so nothing, not even the cookie, leaves the device; once
// granted, everything kept is sent. Denied (by configure, or revoked), the
// queue, the cookie, the stored ids and the session are deleted in every
// tab, and later calls are dropped with a drop report.
//
// A decision is shared state, so every tab and every later page follows
// it: configure's consent is stored unless it is pending, in which case a
// decision stored before (grantConsent, revokeConsent, another page's
// configure) holds.

// stateConsent is the state key of the consent decision.
const stateConsent = "consent"

// reasonNoConsent is the drop reason of calls made without consent.
const reasonNoConsent = "the visitor denied consent"

func (a *app) consentNow() string {
	a.consentMu.Lock()
	defer a.consentMu.Unlock()
	return a.consent
}

func (a *app) granted() bool { return a.consentNow() == tracker.ConsentGranted }
func (a *app) denied() bool  { return a.consentNow() == tracker.ConsentDenied }

// initConsent settles the consent at configure; the decision stored is
// snap.Values[snapConsent] if configure read it (or is read here).
func (a *app) initConsent(ctx ctxlite.Context, snap *queue.Snapshot) error {
	c := a.cfg.Consent
	var (
		stored string
		ok     bool
		err    error
	)
	if snap != nil && len(snap.Has) > snapConsent {
		stored, ok = snap.Values[snapConsent], snap.Has[snapConsent]
	} else if stored, ok, err = a.store.GetState(ctx, stateConsent); err != nil {
		return err
	}
	switch {
	case c == tracker.ConsentPending && ok && stored != "":
		c = stored
	case c != tracker.ConsentPending && stored != c:
		if err := a.storeConsent(ctx, c); err != nil {
			return err
		}
	}
	return a.setConsent(ctx, c)
}

// consentInit is initConsent's write, as a Snapshot's init for the
// consent key: a decision in the configuration is stored unless it is.
func consentInit(configured string) func(old string, ok bool) (string, bool) {
	return func(old string, ok bool) (string, bool) {
		if configured != tracker.ConsentPending && (!ok || old != configured) {
			return configured, true
		}
		return old, false
	}
}

// decide is grantConsent or revokeConsent: the decision is stored, every
// tab is told, and this one follows it.
func (a *app) decide(c string) error {
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	if err := a.storeConsent(ctx, c); err != nil {
		return err
	}
	a.tabs.Post(tabChanged)
	return a.setConsent(ctx, c)
}

func (a *app) storeConsent(ctx ctxlite.Context, c string) error {
	_, err := a.store.UpdateState(ctx, stateConsent, func(string, bool) (string, bool) { return c, true })
	return err
}

// followConsent takes the decision another tab stored.
func (a *app) followConsent(ctx ctxlite.Context) {
	stored, ok, err := a.store.GetState(ctx, stateConsent)
	if err != nil || !ok || stored == "" || stored == a.consentNow() {
		return
	}
	if err := a.setConsent(ctx, stored); err != nil {
		a.s.p.Log.Warn("consent: " + err.Error())
	}
}

// setConsent applies c: denied forgets everything; granted after denied
// makes a new customer; granted sends what waits.
func (a *app) setConsent(ctx ctxlite.Context, c string) error {
	a.consentMu.Lock()
	prev := a.consent
	a.consent = c
	a.consentMu.Unlock()
	a.s.p.Out.Report("_consent", []byte(c))
	if a.cfg.Debug {
		a.debug("consent: " + c)
	}
	switch {
	case c == tracker.ConsentDenied:
		if _, err := a.tracker.Forget(ctx); err != nil {
			return err
		}
		a.close.Forget()
		a.identityChanged()
	case prev == tracker.ConsentDenied:
		recs, err := a.tracker.Identify(ctx, unixMs(a.s.p.Clock.Now()))
		a.stored(recs)
		a.identityChanged()
		if err != nil {
			return err
		}
		a.sessions.start() // the new customer's session, if the page is shown
	}
	if c == tracker.ConsentGranted {
		a.runner.trigger(schedule.Timer)
	}
	return nil
}

// dropped answers calls made without consent: dropped, with a report each.
func (a *app) dropped(calls []tracker.Call, out *answers) {
	for _, c := range calls {
		kind := queue.KindEvent
		if c.Method == "identifyCustomer" {
			kind = queue.KindCustomer
		}
		a.runner.onDrop(flush.DropReport{ID: c.Key, Kind: kind, Reason: reasonNoConsent})
		out.add(c.ID, nil, nil)
	}
}
