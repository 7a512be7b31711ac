package sdk

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

func TestPendingConsentKeepsEverythingAndSendsNothingUntilGranted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		if got := field(t, e.configure(`,"consent":"pending"`), "consent"); got != "pending" {
			t.Fatalf("consent %s", got)
		}
		e.call("trackEvent", `{"name":"kept"}`)
		if res := e.call("flushData", ""); field(t, string(res.Value), "sent") != "0" {
			t.Fatalf("flushData while pending: %s", res.Value)
		}
		e.settle()
		if n := e.sender.requests(); n != 0 {
			t.Fatalf("%d requests while consent is pending", n)
		}
		if n := e.queued(); n != 3 {
			t.Fatalf("queued %d, want installation, session_start and kept", n)
		}
		if a := e.call("grantConsent", ""); a.Err != nil {
			t.Fatal(a.Err)
		}
		e.eventually("everything kept sent", func() bool { return len(e.sender.commands(t)) == 3 && e.queued() == 0 })
		if c := e.out.of("_consent"); len(c) != 2 || c[0] != "pending" || c[1] != "granted" {
			t.Errorf("_consent reports %v", c)
		}
	})
}

func TestDeniedConsentKeepsNothingAndDropsCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"consent":"denied"`)
		a := e.call("trackEvent", `{"name":"dropped"}`)
		if a.Err != nil {
			t.Fatalf("a call without consent: %v", a.Err)
		}
		if d := e.out.of("drop"); len(d) != 1 || field(t, d[0], "reason") != reasonNoConsent {
			t.Fatalf("drop reports %v", d)
		}
		if n := e.queued(); n != 0 {
			t.Fatalf("queued %d without consent", n)
		}
		if c := string(e.call("getCustomerCookie", "").Value); c != `""` {
			t.Errorf("cookie %s without consent", c)
		}
		e.call("flushData", "")
		e.settle()
		if n := e.sender.requests(); n != 0 {
			t.Fatalf("%d requests without consent", n)
		}
	})
}

func TestRevokingForgetsEverythingAndGrantingAgainMakesANewCustomer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"manual"`)
		first := string(e.call("getCustomerCookie", "").Value)
		e.call("identifyCustomer", `{"ids":{"registered":"a@b.c"}}`)
		e.call("trackEvent", `{"name":"before"}`)
		if a := e.call("revokeConsent", ""); a.Err != nil {
			t.Fatal(a.Err)
		}
		if n := e.queued(); n != 0 {
			t.Fatalf("queued %d after revoking", n)
		}
		for _, key := range []string{"customer", "session"} {
			if v, _, _ := e.store.GetState(ctxlite.Background(), key); v != "" {
				t.Errorf("state %s kept after revoking: %s", key, v)
			}
		}
		e.call("grantConsent", "")
		second := string(e.call("getCustomerCookie", "").Value)
		if second == first || second == `""` {
			t.Fatalf("cookie %s after granting again (was %s)", second, first)
		}
		e.call("flushData", "")
		cmds := e.sender.commands(t)
		if got := e.sender.eventTypes(t); len(got) != 2 || got[0] != "installation" || got[1] != "session_start" {
			t.Fatalf("sent %v, want the new customer's installation and session_start alone", got)
		}
		if ids := string(cmds[0].CustomerIDs.AppendJSON(nil)); ids != `{"cookie":`+second+`}` {
			t.Errorf("customer_ids %s, want the new cookie alone", ids)
		}
	})
}

// Another tab's decision reaches this one, and a later page whose
// configure says pending follows the decision stored.
func TestConsentDecisionsReachEveryTabAndLaterPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := queue.NewMemory()
		hub := &tabHub{}
		shared := func() func(*Platform) {
			return func(p *Platform) {
				p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return store, nil }
				p.JoinTabs = hub.join
			}
		}
		a := newEnv(t, shared())
		a.store = store
		a.configure(`,"flushMode":"manual"`)
		b := newEnv(t, shared())
		b.store = store
		b.configure(`,"flushMode":"manual","consent":"pending"`)
		if got := b.out.of("_consent")[0]; got != "granted" {
			t.Fatalf("a page configured pending after a decision: %s, want the decision (granted)", got)
		}
		a.call("revokeConsent", "") // and the BroadcastChannel message
		b.eventually("the other tab follows", func() bool {
			c := b.out.of("_consent")
			return c[len(c)-1] == "denied"
		})
		if got := string(b.call("getCustomerCookie", "").Value); got != `""` {
			t.Errorf("the other tab kept the cookie %s", got)
		}
		c := newEnv(t, shared())
		c.store = store
		c.configure(`,"consent":"pending"`)
		if got := c.out.of("_consent")[0]; got != "denied" {
			t.Fatalf("a later page configured pending: %s, want denied", got)
		}
	})
}

// opsStore records the store operations made until frozen.
type opsStore struct {
	*queue.Memory // a queue.Snapshotter
	mu            sync.Mutex
	ops           []string
	frozen        bool
}

func (c *opsStore) op(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		c.ops = append(c.ops, name)
	}
}

// Snapshot records "snapshot", and the keys its init wrote ("snapshot
// writing customer, consent").
func (c *opsStore) Snapshot(ctx ctxlite.Context, keys []string, init queue.Init) (queue.Snapshot, error) {
	var wrote []string
	rec := init
	if init != nil {
		rec = func(i int, old string, ok bool) (string, bool) {
			v, write := init(i, old, ok)
			if write {
				wrote = append(wrote, keys[i])
			}
			return v, write
		}
	}
	sn, err := c.Memory.Snapshot(ctx, keys, rec)
	if len(wrote) > 0 {
		c.op("snapshot writing " + strings.Join(wrote, ", "))
	} else {
		c.op("snapshot")
	}
	return sn, err
}

func (c *opsStore) Count(ctx ctxlite.Context) (int, int64, error) {
	c.op("count")
	return c.Memory.Count(ctx)
}

func (c *opsStore) GetState(ctx ctxlite.Context, key string) (string, bool, error) {
	c.op("get " + key)
	return c.Memory.GetState(ctx, key)
}

func (c *opsStore) UpdateState(ctx ctxlite.Context, key string, fn func(string, bool) (string, bool)) (string, error) {
	c.op("update " + key)
	return c.Memory.UpdateState(ctx, key, fn)
}

// freezeAtAnswer is an Out that freezes the store's record at the first
// answer: the worker answers configure before it runs the work configure
// leaves for later (the installation event, the session).
type freezeAtAnswer struct {
	Out
	store *opsStore
}

func (f freezeAtAnswer) Answers(as []Answer) {
	f.store.mu.Lock()
	f.store.frozen = true
	f.store.mu.Unlock()
	f.Out.Answers(as)
}

// A page after the visitor's first starts with one read of the store (in
// IndexedDB, one transaction) and writes nothing; the first page creates
// the customer and stores the consent decision in that same transaction,
// and does nothing more before configure answers.
func TestConfigureReadsOnceWhereEverythingIsStored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := queue.NewMemory()
		start := func(cfg string) []string {
			store := &opsStore{Memory: mem}
			e := newEnv(t, func(p *Platform) {
				p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return store, nil }
				p.Out = freezeAtAnswer{Out: p.Out, store: store}
			})
			e.store = mem
			e.configure(cfg)
			e.settle()
			return store.ops
		}
		if got, want := strings.Join(start(`,"flushMode":"manual"`), ", "), "snapshot writing customer, consent"; got != want {
			t.Errorf("the first page's configure: %s, want %s", got, want)
		}
		for _, cfg := range []string{`,"flushMode":"manual"`, `,"flushMode":"manual","consent":"pending"`} {
			if got, want := strings.Join(start(cfg), ", "), "snapshot"; got != want {
				t.Errorf("a later page's configure (%s): %s, want %s", cfg, got, want)
			}
		}
	})
}
