package tracker

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/session"
)

type tracked struct {
	Name string `json:"name"`
	Data struct {
		IDs       map[string]string `json:"customer_ids"`
		EventType string            `json:"event_type"`
		Timestamp float64           `json:"timestamp"`
		Props     map[string]any    `json:"properties"`
	} `json:"data"`
}

func decode(t *testing.T, recs []queue.Record) []tracked {
	t.Helper()
	out := make([]tracked, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal([]byte(r.Body), &out[i]); err != nil {
			t.Fatalf("%s: %v", r.Body, err)
		}
	}
	return out
}

func types(evs []tracked) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Data.EventType)
	}
	return strings.Join(s, ",")
}

var page = Page{URL: "https://shop.example/p?utm_source=news&utm_campaign=fall%20sale", Referrer: "https://search.example/"}

func TestSessionStartAndEnd(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","sessionTimeout":60,"defaultProperties":{"app":"shop"}}`)
	ctx := ctxlite.Background()
	recs, st, err := tr.Session(ctx, session.Shown, now, page)
	if err != nil || !st.Open {
		t.Fatalf("shown: %v, open %v", err, st.Open)
	}
	evs := decode(t, recs)
	if types(evs) != "session_start" {
		t.Fatalf("got %s, want session_start", types(evs))
	}
	p := evs[0].Data.Props
	if p["utm_source"] != "news" || p["utm_campaign"] != "fall sale" || p["referrer"] != "https://search.example/" || p["app"] != "shop" || p["os_name"] != "Linux" {
		t.Errorf("session_start properties: %v", p)
	}
	// A reload within the timeout keeps the session.
	if recs, _, _ := tr.Session(ctx, session.Shown, now+30_000, page); len(recs) != 0 {
		t.Fatalf("reload within the timeout tracked %s", types(decode(t, recs)))
	}
	if recs, _, _ := tr.Session(ctx, session.Hidden, now+40_000, page); len(recs) != 0 {
		t.Fatalf("hidden tracked %s", types(decode(t, recs)))
	}
	recs, st, _ = tr.Session(ctx, session.Tick, now+40_000+61_000, page)
	evs = decode(t, recs)
	if types(evs) != "session_end" || st.Open {
		t.Fatalf("tick after the timeout: got %s (open %v), want session_end", types(evs), st.Open)
	}
	if d := evs[0].Data.Props["duration"]; d != 40.0 {
		t.Errorf("duration: got %v, want 40", d)
	}
	if ts := evs[0].Data.Timestamp; ts != (now+40_000)/1000 {
		t.Errorf("session_end timestamp: got %v, want the last activity %v", ts, (now+40_000)/1000)
	}
}

func TestManualSessions(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","automaticSessionTracking":false}`)
	ctx := ctxlite.Background()
	if recs, _, _ := tr.Session(ctx, session.Shown, now, page); len(recs) != 0 {
		t.Fatal("automatic transitions must do nothing with automatic tracking off")
	}
	recs, warn, err := tr.ManualSession(ctx, true, now, page)
	if err != nil || warn != "" || types(decode(t, recs)) != "session_start" {
		t.Fatalf("start: %v %q %s", err, warn, types(decode(t, recs)))
	}
	recs, _, _ = tr.ManualSession(ctx, true, now+5000, page)
	if got := types(decode(t, recs)); got != "session_end,session_start" {
		t.Fatalf("second start: got %s, want the open session closed first", got)
	}
	recs, _, _ = tr.ManualSession(ctx, false, now+7000, page)
	if got := decode(t, recs); types(got) != "session_end" || got[0].Data.Props["duration"] != 2.0 {
		t.Fatalf("end: got %+v", got)
	}
	if _, warn, _ := tr.ManualSession(ctx, false, now+8000, page); warn == "" {
		t.Error("ending with no open session must warn")
	}
	auto, _ := open(t, queue.NewMemory(), `{"projectToken":"p"}`)
	if recs, warn, _ := auto.ManualSession(ctx, true, now, page); len(recs) != 0 || warn == "" {
		t.Errorf("manual start with automatic tracking: %d records, warning %q; want none and a warning", len(recs), warn)
	}
}

func TestAnonymize(t *testing.T) {
	store := queue.NewMemory()
	ctx := ctxlite.Background()
	tr, _ := open(t, store, `{"projectToken":"p"}`)
	other, _ := open(t, store, `{"projectToken":"p"}`) // a second tab
	tr.Apply(ctx, []Call{{Method: "identifyCustomer", Args: []byte(`{"ids":{"registered":"a@b.com"}}`), TimeMs: now}})
	tr.Session(ctx, session.Shown, now, page)
	_, before := tr.Apply(ctx, []Call{{Method: "trackEvent", Args: []byte(`{"name":"before"}`), TimeMs: now}})
	old := tr.Cookie()

	recs, err := tr.Anonymize(ctx, now+10_000, page)
	if err != nil {
		t.Fatal(err)
	}
	evs := decode(t, recs)
	if got := types(evs); got != "session_end,installation,session_start" {
		t.Fatalf("got %s", got)
	}
	if evs[0].Data.IDs["cookie"] != old || evs[0].Data.IDs["registered"] != "a@b.com" {
		t.Errorf("session_end must go to the old customer: %v", evs[0].Data.IDs)
	}
	fresh := tr.Cookie()
	if fresh == old {
		t.Fatal("anonymize kept the cookie")
	}
	for _, e := range evs[1:] {
		if len(e.Data.IDs) != 1 || e.Data.IDs["cookie"] != fresh {
			t.Errorf("%s must go to the new customer only: %v", e.Data.EventType, e.Data.IDs)
		}
	}
	// What was queued before keeps its ids.
	all, _ := store.Oldest(ctx, 0, 100)
	for _, r := range all {
		if r.Seq == before[0].Seq && !strings.Contains(r.Body, old) {
			t.Errorf("queued record lost its old cookie: %s", r.Body)
		}
	}
	// The other tab switches on refresh.
	changed, err := other.Refresh(ctx)
	if err != nil || !changed || other.Cookie() != fresh {
		t.Fatalf("other tab: changed %v, cookie %s, err %v; want %s", changed, other.Cookie(), err, fresh)
	}
	_, recs = other.Apply(ctx, []Call{{Method: "trackEvent", Args: []byte(`{"name":"after"}`), TimeMs: now}})
	if got := decode(t, recs)[0].Data.IDs; len(got) != 1 || got["cookie"] != fresh {
		t.Errorf("other tab's next event: %v", got)
	}
}
