package sdk

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// A runtime that outlives the page (a SharedWorker) closes the page's SDK
// when the page goes: the send under way is finished and its answer taken,
// so the records it confirmed are deleted and never sent again; then
// nothing more is sent, armed or answered, and the store and the tab
// channel are closed.
func TestCloseFinishesTheSendUnderWayThenStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spy := &closeSpy{}
		e := newEnv(t, spy.option)
		e.configure(`,"flushMode":"period","flushPeriod":60000`)
		e.call("trackEvent", `{"name":"a"}`)
		release := make(chan struct{})
		e.sender.reply = func(body []byte) (flush.Response, error) {
			<-release
			return confirmAll(body), nil
		}
		e.clock.Advance(60 * time.Second) // the period's send starts and waits for its answer
		if n := len(e.sender.commands(t)); n != 3 {
			t.Fatalf("sent %d commands at the period, want 3", n)
		}
		e.s.Close()
		e.settle()
		close(release)
		e.settle()
		if !spy.closed.Load() {
			t.Error("the store is still open after Close")
		}
		if n := e.queued(); n != 0 {
			t.Errorf("%d records left: the send's answer was not taken before the store closed", n)
		}
		e.tabs.mu.Lock()
		closed := e.tabs.closed
		e.tabs.mu.Unlock()
		if !closed {
			t.Error("the tab channel is still open after Close")
		}
		if got := len(e.out.of("flush")); got != 1 {
			t.Errorf("%d flush reports, want the one of the send that finished", got)
		}
		if e.clock.timerAt(t0.Add(120 * time.Second)) {
			t.Error("the next period is still armed after Close")
		}
		id := e.send("trackEvent", `{"name":"after"}`)
		e.clock.Advance(10 * time.Minute)
		e.settle()
		if _, ok := e.out.answers[id]; ok {
			t.Error("a call made after Close was answered")
		}
		if n := len(e.sender.commands(t)); n != 3 {
			t.Errorf("%d commands sent in all, want the 3 of the one send", n)
		}
	})
}

// closeSpy is a store whose Close is only noted: the test reads what
// the SDK left in it.
type closeSpy struct {
	queue.Store
	closed atomic.Bool
}

func (c *closeSpy) Close() error { c.closed.Store(true); return nil }

// option makes the env's store this spy.
func (c *closeSpy) option(p *Platform) {
	open := p.OpenStore
	p.OpenStore = func(ctx ctxlite.Context, name string) (queue.Store, error) {
		st, err := open(ctx, name)
		c.Store = st
		return c, err
	}
}

// Delete fails once closed, as a real store's does: a delete that came
// after Close would leave the confirmed records.
func (c *closeSpy) Delete(ctx ctxlite.Context, seqs []int64) error {
	if c.closed.Load() {
		return queue.ErrClosed
	}
	return c.Store.Delete(ctx, seqs)
}

// A page whose host outlives it leaves what it made to the Go side: Finish
// applies the calls it received, sends what the close path would have
// (appClose mode: everything waits for the page to go), then closes.
func TestFinishAppliesTheCallsSendsThenCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spy := &closeSpy{}
		e := newEnv(t, spy.option)
		e.configure(`,"flushMode":"appClose"`)
		e.settle()
		if n := e.sender.requests(); n != 0 {
			t.Fatalf("appClose mode sent %d requests before the page went", n)
		}
		id := e.send("trackEvent", `{"name":"last"}`)
		e.s.Finish()
		if a := e.answer(id); a.Err != nil {
			t.Fatalf("the call received before Finish: %v", a.Err)
		}
		e.settle()
		if got := e.sender.eventTypes(t); !reflect.DeepEqual(got, []string{"installation", "session_start", "last"}) {
			t.Errorf("sent %v, want everything queued", got)
		}
		if n := e.queued(); n != 0 {
			t.Errorf("%d records left", n)
		}
		if !spy.closed.Load() {
			t.Error("the store is still open after Finish")
		}
	})
}

// In manual mode nothing goes at close: Finish applies and closes.
func TestFinishInManualModeSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, (&closeSpy{}).option)
		e.configure(`,"flushMode":"manual"`)
		e.call("trackEvent", `{"name":"kept"}`)
		e.s.Finish()
		e.settle()
		if n := e.sender.requests(); n != 0 {
			t.Errorf("%d requests in manual mode", n)
		}
		if n := e.queued(); n != 3 {
			t.Errorf("%d records queued, want installation, session_start and kept", n)
		}
	})
}

// A page that leaves the close-time send to its host says so with its
// visibility: hidden, the Go side sends in appClose mode; a page that
// sends at close itself does not make it send.
func TestHiddenSendsWhereTheHostSends(t *testing.T) {
	for _, hostSends := range []bool{false, true} {
		t.Run(strconv.FormatBool(hostSends), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t)
				e.configure(`,"flushMode":"appClose"`)
				e.call("trackEvent", `{"name":"a"}`)
				e.call("_page", `{"url":"https://shop.example/","visible":false,"online":true,"hostSends":`+strconv.FormatBool(hostSends)+`}`)
				e.settle()
				if got, want := e.sender.requests() > 0, hostSends; got != want {
					t.Errorf("sent on hidden: %v, want %v", got, want)
				}
			})
		})
	}
}

// Offline, Finish sends nothing: the records stay queued for the next
// page, as the close path would have kept them.
func TestFinishOfflineSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spy := &closeSpy{}
		e := newEnv(t, spy.option)
		e.configure(`,"flushMode":"appClose"`)
		e.call("_page", `{"url":"https://shop.example/","visible":true,"online":false}`)
		e.call("trackEvent", `{"name":"offline"}`)
		e.s.Finish()
		e.settle()
		if n := e.sender.requests(); n != 0 {
			t.Errorf("%d requests while offline", n)
		}
		if n := e.queued(); n != 3 {
			t.Errorf("%d records queued, want installation, session_start and offline", n)
		}
	})
}

// The pages of a SharedWorker each have an SDK on one shared store.
// Whichever SDK's flush sends a record — another page's, or the last send
// of a page that is going — every page's close path forgets it: a page
// that kept its copy would send it again at close (seen in WebKit: a page
// restored from the back/forward cache sent its visit again when it was
// reloaded, as the previous page's SDK had sent it while finishing). And
// what a page sent at close, no SDK sends while the page waits for the
// answer.
func TestPagesOfOneRuntimeShareWhatIsGoneAndWhatIsSentAtClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared := queue.NewMemory()
		st := &Stores{Open: func(ctxlite.Context, string) (queue.Store, error) { return shared, nil }}
		a, b, id := bStoresASends(t, shared, func(p *Platform) { p.OpenStore = st.OpenStore })
		if gone := strings.Join(b.out.of("_gone"), "\n"); !slices.Contains(strings.Split(gone, "\n"), id) {
			t.Errorf("page b's close path still holds %s, which page a's SDK sent and had confirmed (gone: %q)", id, gone)
		}
		// What page b sends at close, while it waits for the answer, page
		// a's SDK does not send (a tab switch: the page lives on).
		b.call("trackEvent", `{"name":"hidden"}`)
		b.call("_closeSent", `["`+storedID(b.out, "hidden")+`"]`)
		before := a.sender.requests()
		a.call("flushData", "")
		if got := a.sender.requests(); got != before {
			t.Errorf("page a's SDK sent %d requests with page b's close-time send in flight", got-before)
		}
		b.s.Close()
		b.settle()
		before = len(b.out.of("_gone"))
		a.call("trackEvent", `{"name":"later"}`)
		a.call("flushData", "")
		if got := len(b.out.of("_gone")); got != before {
			t.Errorf("a closed page was told of %d more records gone", got-before)
		}
	})
}

// bStoresASends starts SDKs a and b on the queue shared (on wires them
// to it), both flushing manually; b tracks "clicked" and a sends the queue.
// It returns them and the id of b's record.
func bStoresASends(t *testing.T, shared *queue.Memory, on func(*Platform)) (a, b *env, id string) {
	t.Helper()
	a = newEnv(t, on)
	b = newEnv(t, on, func(p *Platform) { // ids of its own
		next := p.NewID
		p.NewID = func() string { return "b-" + next() }
	})
	a.configure(`,"flushMode":"manual"`)
	b.configure(`,"flushMode":"manual"`)
	b.call("trackEvent", `{"name":"clicked"}`)
	if id = storedID(b.out, "clicked"); id == "" {
		t.Fatalf("page b's close path was not told of its record: %q", b.out.of("_stored"))
	}
	if r := a.call("flushData", ""); r.Err != nil {
		t.Fatal(r.Err)
	}
	if n, _ := shared.Len(ctxlite.Background()); n != 0 {
		t.Fatalf("%d records left after a's flush", n)
	}
	return a, b, id
}

// storedID returns the id of the record of event name that out's close
// path was told of ("_stored" lines: seq US id US body), or "".
func storedID(out *fakeOut, name string) string {
	for _, r := range out.of("_stored") {
		for _, line := range strings.Split(r, "\n") {
			if f := strings.Split(line, "\x1f"); len(f) == 3 && strings.Contains(f[2], `"event_type":"`+name+`"`) {
				return f[1]
			}
		}
	}
	return ""
}

// A page back from the back/forward cache starts its SDK again (the one it
// had was closed when the page was hidden) and hands the new one its close
// path's copy: the records still queued join the new SDK's copy, so that
// the answer to the keepalive request the page sent as it was hidden
// settles them, and none of those is sent meanwhile; the records another
// page's SDK sent while the page was away, the page forgets, or it would
// send them again at its next close.
func TestAPageBackFromTheCacheHandsItsCloseCopyToItsNewSDK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared := keepOpen{queue.NewMemory()}
		onShared := func(p *Platform) {
			p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return shared, nil }
		}
		first := newEnv(t, onShared)
		first.configure(`,"flushMode":"manual","automaticSessionTracking":false`)
		first.call("trackEvent", `{"name":"sent"}`) // in a keepalive request as the page was hidden
		first.call("trackEvent", `{"name":"other"}`)
		install, sent, other := storedID(first.out, "installation"), storedID(first.out, "sent"), storedID(first.out, "other")
		first.s.Close()
		first.settle()

		again := newEnv(t, onShared)
		cfg := `{"projectToken":"p","authorization":"Token k","baseUrl":"https://api.example","flushMode":"manual","automaticSessionTracking":false}`
		kept := `["` + install + `","` + sent + `","` + other + `","sent-meanwhile"]`
		if a := again.call("configure", `{"config":`+cfg+`,"page":`+page+`,"kept":`+kept+`,"inFlight":["`+sent+`"]}`); a.Err != nil {
			t.Fatal(a.Err)
		}
		if got := strings.Join(again.out.of("_gone"), "\n"); got != "sent-meanwhile" {
			t.Errorf("the page was told to forget %q, want only the record no longer queued", got)
		}
		if r := again.call("flushData", ""); r.Err != nil {
			t.Fatal(r.Err)
		}
		if got := again.sender.eventTypes(t); !reflect.DeepEqual(got, []string{"installation", "other"}) {
			t.Errorf("sent %v with the page's keepalive request in flight, want installation and other", got)
		}
		body := string(wire.AppendResponse(nil, []wire.Result{{OK: true}}, 1, 2))
		again.call("_keepaliveDone", `{"ids":["`+sent+`"],"status":200,"body":`+quote(body)+`}`)
		again.eventually("the keepalive answer settled", func() bool {
			n, _ := shared.Len(ctxlite.Background())
			return n == 0
		})
	})
}

// keepOpen is a store that stays open when an SDK closes it: the database
// outlives the page.
type keepOpen struct{ *queue.Memory }

func (keepOpen) Close() error { return nil }

// Tabs whose SDKs run in runtimes of their own (a dedicated Worker each, or
// on the page) send from one queue too: what one runtime's SDK confirms
// leaves the close path of the page that stored it, through the tab
// channel, as within one runtime through the store
// (TestPagesOfOneRuntimeShareWhatIsGoneAndWhatIsSentAtClose). What a page
// sent at close, the other runtimes do not hold: the page may be gone for
// good, and its hold would keep the records from being sent while the
// next pages come and go.
func TestRuntimesOfTheOriginShareWhatIsGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared := queue.NewMemory()
		hub := &tabHub{}
		a, b, id := bStoresASends(t, shared, func(p *Platform) {
			p.OpenStore = func(ctxlite.Context, string) (queue.Store, error) { return shared, nil }
			p.JoinTabs = hub.join
		})
		b.eventually("page b's close path forgets what tab a's runtime sent", func() bool {
			return slices.Contains(strings.Split(strings.Join(b.out.of("_gone"), "\n"), "\n"), id)
		})
		b.call("trackEvent", `{"name":"hidden"}`)
		b.call("_closeSent", `["`+storedID(b.out, "hidden")+`"]`)
		b.settle()
		a.settle()
		before := a.sender.requests()
		a.call("flushData", "")
		if got := a.sender.requests(); got != before+1 {
			t.Errorf("tab a's runtime sent %d requests after page b's close-time send, want 1", got-before)
		}
	})
}

func TestTabMessagesReadBack(t *testing.T) {
	ids := []string{"a", "b-2"}
	if kind, got := parseTab(goneMessage(ids)); kind != tabGone || !slices.Equal(got, ids) {
		t.Errorf("gone %v read back as %s %v", ids, kind, got)
	}
	// What this version does not know (an older one's "changed", a hold an
	// earlier build of this one posted) is a change to reread.
	for _, m := range []string{"changed", "", "gone", "gone\n", "hold 10000\nid", "later\nid"} {
		if kind, ids := parseTab(m); kind != tabChanged || ids != nil {
			t.Errorf("%q read as %s %v, want a change", m, kind, ids)
		}
	}
}
