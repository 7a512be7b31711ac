package sdk

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
	"github.com/exponea-wasm/tracker/internal/wire"
)

func TestConfigureTracksInstallationAndSessionAndSendsThem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		desc := e.configure("")
		if got := field(t, desc, "storage"); got != "indexeddb" {
			t.Errorf("storage: got %s", got)
		}
		if got := field(t, desc, "closeUrl"); got != "https://api.example/track/v2/projects/p/batch?access_token=k" {
			t.Errorf("closeUrl: got %s", got)
		}
		if got := field(t, desc, "flushMode"); got != "immediate" {
			t.Errorf("flushMode: got %s", got)
		}
		if got := field(t, desc, "openMs"); got != "0" { // the fake clock stands still
			t.Errorf("openMs: got %s, want the time opening the store took", got)
		}
		e.eventually("2 commands sent", func() bool { return len(e.sender.commands(t)) == 2 })
		if got := e.sender.eventTypes(t); !reflect.DeepEqual(got, []string{"installation", "session_start"}) {
			t.Errorf("sent %v", got)
		}
		cmds := e.sender.commands(t)
		if cookie := string(cmds[0].CustomerIDs[0].Value); cookie != `"`+field(t, desc, "cookie")+`"` {
			t.Errorf("customer_ids.cookie %s, configure said %s", cookie, desc)
		}
		if !strings.Contains(string(cmds[1].Properties), `"utm_source":"news"`) {
			t.Errorf("session_start lacks the page's attribution: %s", cmds[1].Properties)
		}
		e.eventually("an empty queue", func() bool { return e.queued() == 0 })
		e.eventually("a flush report", func() bool { return len(e.out.of("flush")) > 0 })
	})
}

func TestCallsBeforeConfigureAndConfigureTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		var ce *CallError
		if a := e.call("trackEvent", `{"name":"early"}`); !errors.As(a.Err, &ce) {
			t.Errorf("before configure: got %v, want a CallError", a.Err)
		}
		e.configure("")
		if a := e.call("configure", `{"config":{"projectToken":"p"}}`); !errors.As(a.Err, &ce) {
			t.Errorf("configure twice: got %v, want a CallError", a.Err)
		}
		var ie *tracker.InputError
		if a := e.call("launchRockets", ""); !errors.As(a.Err, &ie) || ie.Class != tracker.TypeError {
			t.Errorf("unknown method: got %v, want a TypeError", a.Err)
		}
	})
}

func TestBadConfigIsRefusedAndACorrectOneThenWorks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		var ie *tracker.InputError
		a := e.call("configure", `{"config":{"projectToken":"p","flushMaxRetries":0},"page":`+page+`}`)
		if !errors.As(a.Err, &ie) || ie.Class != tracker.RangeError || ie.Field != "flushMaxRetries" {
			t.Fatalf("got %v, want a RangeError naming flushMaxRetries", a.Err)
		}
		e.configure("")
	})
}

// slowStateStore fails UpdateState of the keys fail picks, as IndexedDB
// does when a transaction cannot start within the call's time (WebKit has
// held one for over 15 s after a tab closed), and tells whether it was
// closed.
type slowStateStore struct {
	queue.Store
	fail   func(key string) bool
	closed bool
}

func (s *slowStateStore) UpdateState(ctx ctxlite.Context, key string, fn func(string, bool) (string, bool)) (string, error) {
	if s.fail(key) {
		return "", errors.New("idbstore: update state: context deadline exceeded")
	}
	return s.Store.UpdateState(ctx, key, fn)
}

func (s *slowStateStore) Close() error {
	s.closed = true
	return s.Store.Close()
}

// A configure whose storage fails (opening the tracker, or storing the
// consent decision) answers a plain Error — the loader starts a Go side
// again, where a TypeError or RangeError would fail the SDK — and leaves
// nothing behind: the store closed, no tab channel joined, nothing sent;
// a configure after it works, on a connection of its own — in a
// SharedWorker too, whose runtime otherwise keeps its connection open for
// the next SDK (Stores).
func TestConfigureFailingInStorageLeavesNothingOpen(t *testing.T) {
	for _, c := range []struct {
		name   string
		fail   func(string) bool
		shared bool
	}{
		{"opening the tracker", func(string) bool { return true }, false},
		{"storing consent", func(k string) bool { return k == stateConsent }, false},
		{"opening the tracker, in a SharedWorker", func(string) bool { return true }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var opened []*slowStateStore
				joined := 0
				e := newEnv(t, func(p *Platform) {
					p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) {
						s := &slowStateStore{Store: queue.NewMemory(), fail: func(string) bool { return false }}
						if len(opened) == 0 {
							s.fail = c.fail
						}
						opened = append(opened, s)
						return s, nil
					}
					if c.shared {
						p.OpenStore = (&Stores{Open: p.OpenStore}).OpenStore
					}
					join := p.JoinTabs
					p.JoinTabs = func(name string, f func(string)) Tabs { joined++; return join(name, f) }
				})
				a := e.call("configure", `{"config":{"projectToken":"p","authorization":"Token k","baseUrl":"https://api.example"},"page":`+page+`}`)
				var ie *tracker.InputError
				if a.Err == nil || errors.As(a.Err, &ie) || !strings.Contains(a.Err.Error(), "context deadline exceeded") {
					t.Fatalf("got %v, want the store's error, not a TypeError or RangeError", a.Err)
				}
				if !opened[0].closed || joined != 0 {
					t.Errorf("after the failure: store closed %v, tab channels joined %v", opened[0].closed, joined)
				}
				e.clock.Advance(time.Hour)
				var ce *CallError
				if a := e.call("trackEvent", `{"name":"x"}`); !errors.As(a.Err, &ce) {
					t.Errorf("a call after the failed configure: got %v, want a CallError", a.Err)
				}
				e.settle()
				if n := len(e.sender.commands(t)); n != 0 {
					t.Errorf("%v commands sent by a failed configure", n)
				}
				e.configure("")
				e.eventually("sent by the configure after", func() bool { return len(e.sender.commands(t)) == 2 })
				if len(opened) != 2 {
					t.Fatalf("the configure after opened %d stores in all, want a connection of its own", len(opened))
				}
				if opened[1].closed || joined != 1 {
					t.Errorf("after a configure that worked: store closed %v, tab channels joined %v", opened[1].closed, joined)
				}
			})
		})
	}
}

func TestTrackEventValidatesAndStores(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"manual","defaultProperties":{"app":"shop"}`)
		ok := e.send("trackEvent", `{"name":"purchase","properties":{"price":1.5}}`)
		bad := e.send("trackEvent", `{"name":""}`)
		if a := e.answer(ok); a.Err != nil {
			t.Fatalf("valid event: %v", a.Err)
		}
		var ie *tracker.InputError
		if a := e.answer(bad); !errors.As(a.Err, &ie) || ie.Field != "name" {
			t.Fatalf("empty name: got %v, want an error naming name", a.Err)
		}
		if n := e.queued(); n != 3 { // installation, session_start, purchase
			t.Fatalf("queued %d, want 3", n)
		}
		if got := e.call("getQueueLength", "").Value; string(got) != "3" {
			t.Errorf("getQueueLength: %s", got)
		}
		e.settle()
		if n := len(e.sender.commands(t)); n != 0 {
			t.Fatalf("manual mode sent %d commands", n)
		}
		res := e.call("flushData", "")
		if res.Err != nil || field(t, string(res.Value), "confirmed") != "3" || field(t, string(res.Value), "kept") != "0" {
			t.Fatalf("flushData: %s, %v", res.Value, res.Err)
		}
		purchase := e.sender.commands(t)[2]
		if string(purchase.Properties) != `{"app":"shop","price":1.5}` {
			t.Errorf("default properties not merged under the event's: %s", purchase.Properties)
		}
	})
}

func TestPeriodModeSendsAtThePeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"period","flushPeriod":60000`)
		e.settle() // the loop has started the period: at t0
		e.call("trackEvent", `{"name":"a"}`)
		e.clock.Advance(59 * time.Second)
		if n := len(e.sender.commands(t)); n != 0 {
			t.Fatalf("sent %d before the period", n)
		}
		e.clock.Advance(time.Second)
		if got, want := e.sender.eventTypes(t), []string{"installation", "session_start", "a"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("at the period: sent %v, want %v", got, want)
		}
		e.call("trackEvent", `{"name":"b"}`)
		e.clock.Advance(59 * time.Second)
		if n := len(e.sender.commands(t)); n != 3 {
			t.Fatalf("sent %d commands before the second period, want 3", n)
		}
		e.clock.Advance(time.Second)
		if n := len(e.sender.commands(t)); n != 4 {
			t.Fatalf("sent %d commands at the second period, want 4: %v", n, e.sender.eventTypes(t))
		}
		if e.call("setFlushMode", `"sometimes"`).Err == nil {
			t.Error("setFlushMode accepted an unknown mode")
		}
		if e.call("setFlushPeriod", `0`).Err == nil {
			t.Error("setFlushPeriod accepted 0")
		}
		if a := e.call("setFlushMode", `"immediate"`); a.Err != nil {
			t.Fatal(a.Err)
		}
		e.call("trackEvent", `{"name":"c"}`)
		e.settle()
		if got := e.sender.eventTypes(t); len(got) != 5 || got[4] != "c" {
			t.Errorf("immediate mode: sent %v, want c sent at once", got)
		}
	})
}

// The flush loop takes the triggers that wait while it sends together,
// a stored record's before the timer's; a boundary reached meanwhile is
// still a send, and the next comes one period after it.
func TestPeriodModeSendsAtABoundaryReachedWhileSending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			mu      sync.Mutex
			flushes int
		)
		waiting := make(chan struct{}, 1)
		e := newEnv(t, func(p *Platform) {
			with := p.WithLock
			p.WithLock = func(ctx ctxlite.Context, name string, fn func()) (bool, error) {
				mu.Lock()
				flushes++
				mu.Unlock()
				select {
				case waiting <- struct{}{}:
				default:
				}
				return with(ctx, name, fn)
			}
		})
		count := func() int { mu.Lock(); defer mu.Unlock(); return flushes }
		e.configure(`,"flushMode":"period","flushPeriod":60000,"automaticSessionTracking":false`)
		e.settle()
		e.clock.settle = nil // the loop is to wait for the lock meanwhile
		e.lock.Lock()        // another tab is sending
		e.clock.Advance(time.Minute)
		select {
		case <-waiting: // the loop's flush at the first boundary waits for the lock
		case <-time.After(5 * time.Second):
			t.Fatal("no flush at the first boundary")
		}
		e.call("trackEvent", `{"name":"a"}`)
		e.clock.Advance(time.Minute) // the second boundary's timer, beside a's trigger
		e.lock.Unlock()
		e.settle()
		e.clock.settle = e.settle
		if n := count(); n != 2 {
			t.Fatalf("flushes after the second boundary: got %d, want 2", n)
		}
		e.clock.Advance(time.Minute - time.Millisecond)
		if n := count(); n != 2 {
			t.Fatalf("flushes before the third boundary: got %d, want 2", n)
		}
		e.clock.Advance(time.Millisecond)
		if n := count(); n != 3 {
			t.Fatalf("flushes at the third boundary: got %d, want 3", n)
		}
		if got := e.sender.eventTypes(t); !reflect.DeepEqual(got, []string{"installation", "a"}) {
			t.Errorf("sent %v", got)
		}
	})
}

func TestOfflineHoldsAndOnlineSends(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure("")
		e.eventually("start-up records sent", func() bool { return len(e.sender.commands(t)) == 2 && e.queued() == 0 })
		e.s.SetOnline(false)
		e.call("trackEvent", `{"name":"offline"}`)
		e.settle()
		if n := len(e.sender.commands(t)); n != 2 {
			t.Fatalf("sent while offline: %v", e.sender.eventTypes(t))
		}
		if res := e.call("flushData", ""); field(t, string(res.Value), "kept") != "1" || field(t, string(res.Value), "requests") != "0" {
			t.Errorf("flushData offline: %s", res.Value)
		}
		e.s.SetOnline(true)
		e.eventually("the offline event sent", func() bool { return len(e.sender.commands(t)) == 3 })
		// The page's view counts too: a page that reports itself offline holds
		// sending even when the SDK's global says online.
		e.call("_page", `{"visible":true,"online":false}`)
		e.call("trackEvent", `{"name":"page-offline"}`)
		e.settle()
		if n := len(e.sender.commands(t)); n != 3 {
			t.Fatalf("sent while the page is offline: %v", e.sender.eventTypes(t))
		}
		e.call("_page", `{"visible":true,"online":true}`)
		e.eventually("sent when the page is back online", func() bool { return len(e.sender.commands(t)) == 4 })
	})
}

func TestOutageBacksOffAndRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.sender.reply = func([]byte) (flush.Response, error) {
			return flush.Response{Status: 503, RetryAfter: "30"}, nil
		}
		e.configure("")
		e.eventually("an error report", func() bool { return len(e.out.of("error")) > 0 })
		rep := e.out.of("error")[0]
		if field(t, rep, "retryAt") != "1764320030000" || field(t, rep, "paused") != "false" {
			t.Errorf("error report: %s", rep)
		}
		e.eventually("the retry timer", func() bool { return e.clock.timerAt(t0.Add(30 * time.Second)) })
		e.sender.mu.Lock()
		e.sender.reply = nil
		e.sender.mu.Unlock()
		e.clock.Advance(29 * time.Second)
		if n := e.sender.requests(); n != 1 {
			t.Fatalf("%d requests before Retry-After", n)
		}
		e.clock.Advance(time.Second)
		e.eventually("the retry confirms both records", func() bool { return e.queued() == 0 })
	})
}

func TestUnauthorizedPausesUntilFlushData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.sender.reply = func([]byte) (flush.Response, error) { return flush.Response{Status: 401}, nil }
		e.configure(`,"automaticSessionTracking":false`)
		e.eventually("a paused error report", func() bool {
			r := e.out.of("error")
			return len(r) > 0 && field(t, r[0], "paused") == "true"
		})
		e.call("trackEvent", `{"name":"held"}`)
		e.clock.Advance(time.Hour)
		if n := e.sender.requests(); n != 1 {
			t.Fatalf("%d requests while paused", n)
		}
		e.sender.mu.Lock()
		e.sender.reply = nil
		e.sender.mu.Unlock()
		if res := e.call("flushData", ""); res.Err != nil || field(t, string(res.Value), "confirmed") != "2" {
			t.Fatalf("flushData: %s, %v", res.Value, res.Err)
		}
	})
}

func TestRejectedCommandIsDroppedAndReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.sender.reply = func(body []byte) (flush.Response, error) {
			cmds, _, _ := wire.ParseBatch(body)
			res := make([]wire.Result, len(cmds))
			for i, c := range cmds {
				res[i].OK = c.EventType != "bad"
				if !res[i].OK {
					res[i].Errors = []string{"no, thanks"}
				}
			}
			return flush.Response{Status: 200, Body: wire.AppendResponse(nil, res, 1, 2)}, nil
		}
		e.configure(`,"flushMaxRetries":1,"automaticSessionTracking":false`)
		e.call("trackEvent", `{"name":"bad"}`)
		e.eventually("a drop report", func() bool { return len(e.out.of("drop")) == 1 })
		d := e.out.of("drop")[0]
		if field(t, d, "reason") != "no, thanks" || field(t, d, "kind") != "event" || field(t, d, "rejections") != "1" {
			t.Errorf("drop report: %s", d)
		}
		if got := field(t, string(e.call("getStats", "").Value), "dropped"); got != "1" {
			t.Errorf("getStats dropped: %s", got)
		}
	})
}

// The close path: what is stored is mirrored to the loader (_stored),
// what is confirmed leaves it (_gone), and the answers to the loader's
// keepalive requests settle the records they carried.
func TestKeepaliveAnswersSettleTheRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"appClose","automaticSessionTracking":false`)
		e.call("trackEvent", `{"name":"a"}`)
		stored := strings.Join(e.out.of("_stored"), "\n")
		var ids []string
		for _, line := range strings.Split(stored, "\n") {
			f := strings.SplitN(line, "\x1f", 3)
			if len(f) != 3 || !strings.HasPrefix(f[2], `{"name":"customers/events"`) {
				t.Fatalf("_stored line %q", line)
			}
			ids = append(ids, f[1])
		}
		if len(ids) != 2 {
			t.Fatalf("mirrored %d records, want installation and a", len(ids))
		}
		body := string(wire.AppendResponse(nil, []wire.Result{{OK: true}, {OK: true}}, 1, 2))
		// A 401 at close (another credentials form) never pauses sending.
		e.call("_keepaliveDone", `{"ids":["`+ids[0]+`","`+ids[1]+`"],"status":401,"body":""}`)
		e.eventually("the 401 reported", func() bool { return len(e.out.of("error")) == 1 })
		e.settle() // the answer's goroutine done: nothing more will be deleted
		if n := e.queued(); n != 2 {
			t.Fatalf("a 401 at close deleted records: %d left", n)
		}
		e.call("_keepaliveDone", `{"ids":["`+ids[0]+`","`+ids[1]+`"],"status":200,"body":`+quote(body)+`}`)
		e.eventually("both confirmed", func() bool { return e.queued() == 0 })
		e.eventually("_gone for both", func() bool { return strings.Join(e.out.of("_gone"), "\n") == ids[0]+"\n"+ids[1] })
		if r := e.out.of("error")[0]; field(t, r, "paused") != "false" {
			t.Errorf("the close path's 401 paused sending: %s", r)
		}
	})
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func TestSessionEndsWhenHiddenPastTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"manual","sessionTimeout":60`)
		e.call("_page", `{"visible":false,"online":true}`)
		e.eventually("the expiry timer", func() bool { return e.clock.timerAt(t0.Add(60*time.Second + 50*time.Millisecond)) })
		e.clock.Advance(61 * time.Second)
		e.eventually("session_end stored", func() bool { return e.queued() == 3 })
		e.call("flushData", "")
		if got := e.sender.eventTypes(t); !reflect.DeepEqual(got, []string{"installation", "session_start", "session_end"}) {
			t.Fatalf("sent %v", got)
		}
		if d := string(e.sender.commands(t)[2].Properties); !strings.Contains(d, `"duration":0`) {
			t.Errorf("session_end: %s, want the duration up to the moment it was hidden", d)
		}
	})
}

func TestAnonymizeSwitchesCustomerAndTellsTheTabs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"manual"`)
		before := string(e.call("getCustomerCookie", "").Value)
		if a := e.call("identifyCustomer", `{"ids":{"registered":"a@b.com"}}`); a.Err != nil {
			t.Fatal(a.Err)
		}
		if a := e.call("anonymize", ""); a.Err != nil {
			t.Fatal(a.Err)
		}
		after := string(e.call("getCustomerCookie", "").Value)
		if after == before {
			t.Fatal("anonymize kept the cookie")
		}
		if n := e.tabs.count(tabChanged); n != 2 {
			t.Errorf("tabs told of a change %d times, want 2 (identify, anonymize)", n)
		}
		e.call("flushData", "")
		want := []string{"installation", "session_start", "customers", "session_end", "installation", "session_start"}
		if got := e.sender.eventTypes(t); !reflect.DeepEqual(got, want) {
			t.Fatalf("sent %v, want %v", got, want)
		}
	})
}

func TestManualSessions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.configure(`,"flushMode":"manual","automaticSessionTracking":false`)
		if a := e.call("trackSessionStart", `{"timestamp":1764320001}`); a.Err != nil {
			t.Fatal(a.Err)
		}
		if a := e.call("trackSessionStart", `{"timestamp":"soon"}`); a.Err == nil {
			t.Error("a string timestamp was accepted")
		}
		e.call("trackSessionEnd", "")
		e.call("flushData", "")
		if got := e.sender.eventTypes(t); !reflect.DeepEqual(got, []string{"installation", "session_start", "session_end"}) {
			t.Fatalf("sent %v", got)
		}
		if ts := e.sender.commands(t)[1].Timestamp; ts != 1764320001 {
			t.Errorf("session_start timestamp %v", ts)
		}
	})
}

// panicStore panics on Append once armed, as a bug in a binding would.
type panicStore struct {
	queue.Store
	armed bool
}

func (s *panicStore) Append(ctx ctxlite.Context, recs []queue.Record) ([]queue.Record, error) {
	if s.armed {
		s.armed = false
		panic("boom")
	}
	return s.Store.Append(ctx, recs)
}

func TestAPanicFailsItsCallsAndTheSDKKeepsWorking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := &panicStore{Store: queue.NewMemory()}
		e := newEnv(t, func(p *Platform) {
			p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return ps, nil }
		})
		e.store = ps
		e.configure(`,"flushMode":"manual","automaticSessionTracking":false`)
		// The installation event is stored after configure has answered:
		// the panic is for trackEvent's append, not for that one.
		synctest.Wait()
		ps.armed = true
		var ie *InternalError
		if a := e.call("trackEvent", `{"name":"x"}`); !errors.As(a.Err, &ie) || ie.Panic != "boom" {
			t.Fatalf("got %v, want an InternalError", a.Err)
		}
		if r := e.out.of("error"); len(r) != 1 || !strings.Contains(field(t, r[0], "message"), "boom") {
			t.Errorf("error reports: %v", r)
		}
		if a := e.call("trackEvent", `{"name":"y"}`); a.Err != nil {
			t.Fatalf("after the panic: %v", a.Err)
		}
	})
}

func TestNoLocksSendsWithoutAndALockErrorRetriesSoon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(p *Platform) {
			p.WithLock = func(ctxlite.Context, string, func()) (bool, error) { return false, nil }
		})
		e.configure("")
		e.eventually("sent without a lock", func() bool { return len(e.sender.commands(t)) == 2 })

		var failing atomic.Bool // the lock fails until the test says
		failing.Store(true)
		e = newEnv(t, func(p *Platform) {
			p.WithLock = func(_ ctxlite.Context, _ string, fn func()) (bool, error) {
				if failing.Load() {
					return true, errors.New("lock: aborted")
				}
				fn()
				return true, nil
			}
		})
		e.configure("")
		e.settle()
		failing.Store(false)
		e.clock.Advance(time.Second - time.Millisecond)
		if n := e.sender.requests(); n != 0 {
			t.Fatalf("%d requests before the retry", n)
		}
		e.clock.Advance(time.Millisecond)
		if got := e.sender.eventTypes(t); !reflect.DeepEqual(got, []string{"installation", "session_start"}) {
			t.Errorf("a second after the lock failed: sent %v, want installation and session_start", got)
		}
	})
}

func TestMemoryFallbackWhenIndexedDBIsUnavailable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(p *Platform) {
			p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return nil, errors.New("blocked") }
		})
		if got := field(t, e.configure(""), "storage"); got != "memory" {
			t.Errorf("storage %s", got)
		}
		if len(e.log.warns) != 1 || !strings.Contains(e.log.warns[0], "blocked") {
			t.Errorf("warnings: %v", e.log.warns)
		}
	})
}

// panicSender panics on its next n requests, as a bug in a binding would.
type panicSender struct {
	fakeSender
	n int
}

func (s *panicSender) Send(ctx ctxlite.Context, body []byte) (flush.Response, error) {
	s.mu.Lock()
	boom := s.n > 0
	s.n--
	s.mu.Unlock()
	if boom {
		panic("send broke")
	}
	return s.fakeSender.Send(ctx, body)
}

// A panic on the flush loop's goroutine or on flushData's is reported, the
// call that was waiting is answered, and sending goes on.
func TestPanicsWhileSendingAreReportedAndSendingGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ps := &panicSender{n: 1 << 30} // every request, until the test says
		e := newEnv(t, func(p *Platform) { p.NewSender = func(string, string) flush.Sender { return ps } })
		e.configure(`,"automaticSessionTracking":false`)
		e.eventually("the flush loop's panic reported", func() bool { return len(e.out.of("error")) >= 1 })
		var ie *InternalError
		if a := e.call("flushData", ""); !errors.As(a.Err, &ie) || ie.What != "flushData" {
			t.Fatalf("flushData: got %v, want its panic as an InternalError", a.Err)
		}
		ps.mu.Lock()
		ps.n = 0
		ps.mu.Unlock()
		if a := e.call("flushData", ""); a.Err != nil || field(t, string(a.Value), "confirmed") != "1" {
			t.Fatalf("after the panics: %s, %v", a.Value, a.Err)
		}
		e.call("trackEvent", `{"name":"later"}`)
		e.eventually("the loop still sends", func() bool { return e.queued() == 0 })
	})
}

func TestDebugLogsCallsBatchesAndRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.sender.reply = func([]byte) (flush.Response, error) { return flush.Response{Status: 503}, nil }
		e.configure(`,"debug":true,"automaticSessionTracking":false`)
		e.eventually("a failed flush logged", func() bool {
			e.log.mu.Lock()
			defer e.log.mu.Unlock()
			for _, m := range e.log.debug {
				if strings.Contains(m, "flush: 1 requests") {
					return true
				}
			}
			return false
		})
		e.log.mu.Lock()
		logs := strings.Join(e.log.debug, "\n")
		e.log.mu.Unlock()
		for _, want := range []string{"consent: granted", "HTTP 503", "next try in 1000 ms"} {
			if !strings.Contains(logs, want) {
				t.Errorf("debug log lacks %q:\n%s", want, logs)
			}
		}
		quiet := newEnv(t)
		quiet.configure("")
		quiet.call("trackEvent", `{"name":"x"}`)
		quiet.settle() // stored and sent: what debug would log
		if n := quiet.sender.requests(); n == 0 {
			t.Fatal("debug off: nothing sent, so nothing that would be logged")
		}
		quiet.log.mu.Lock()
		defer quiet.log.mu.Unlock()
		if len(quiet.log.debug) != 0 {
			t.Errorf("debug off, yet: %v", quiet.log.debug)
		}
	})
}
