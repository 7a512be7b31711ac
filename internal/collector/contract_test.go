package collector

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/relay"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/session"
	"github.com/exponea-wasm/tracker/internal/tracker"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// The contract between the SDK and the collector: every kind of record the
// tracker builds — installation, session_start, events, customers,
// session_end, and anonymize's — is sent by the flusher to the collector's
// real handler, stored in SQLite, and read back through the read API as it
// was built. A change to the commands on either side alone fails here.
func TestTrackerOutputIsStoredAsBuilt(t *testing.T) {
	ctx := context.Background()
	srv, err := New(Config{DBPath: filepath.Join(t.TempDir(), "c.db"), Addr: "127.0.0.1:0", Keys: []string{"k"}})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Shutdown(context.Background())
	ts := struct{ URL string }{"http://" + srv.Addr().String()}

	cfg, err := tracker.ParseConfig([]byte(`{"projectToken":"p","defaultProperties":{"app":"shop","v":[1,{"x":null}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	store := queue.NewMemory()
	n := 0
	newID := func() string { n++; return "00000000-0000-4000-8000-" + strconv.FormatInt(int64(100000000000+n), 10) }
	dev := tracker.Device{UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36", Language: "sk", ScreenWidth: 1280, ScreenHeight: 720}
	now := 1764320000123.5
	tr, err := tracker.Open(ctx, store, cfg, dev, newID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Install(ctx, now); err != nil {
		t.Fatal(err)
	}
	page := tracker.Page{URL: "https://shop.example/?utm_source=news&gclid=g", Referrer: "https://search.example/"}
	if _, _, err := tr.Session(ctx, session.Shown, now, page); err != nil {
		t.Fatal(err)
	}
	res, _ := tr.Apply(ctx, []tracker.Call{
		{Method: "trackEvent", Args: []byte(`{"name":"purchase","properties":{"price":123.45,"item":"b\u00f6ok \"1\"","onSale":false},"timestamp":1764320000.5}`), TimeMs: now},
		{Method: "identifyCustomer", Args: []byte(`{"ids":{"registered":"a@b.com"},"properties":{"payingCustomer":true}}`), TimeMs: now},
		{Method: "trackEvent", Args: []byte(`{"name":"after_identify","properties":{"app":"override"}}`), TimeMs: now + 1},
	})
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("call %d: %v", i, r.Err)
		}
	}
	if _, err := tr.Anonymize(ctx, now+2000, page); err != nil {
		t.Fatal(err)
	}
	built, err := store.Oldest(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}

	// The relay's sender: net/http, as the browser's fetch is.
	snd := &relay.Sender{Client: http.DefaultClient, URL: ts.URL + "/track/v2/projects/p/batch", Auth: "Token k"}
	f := flush.New(store, snd, flush.Config{}, time.Now, nil, flush.Observer{})
	fr, err := f.Flush(ctx, false)
	if err != nil || fr.Confirmed != len(built) || fr.Kept != 0 {
		t.Fatalf("flush: %+v, %v; want all %d confirmed", fr, err, len(built))
	}

	var got struct {
		Events    []Event    `json:"events"`
		Customers []Customer `json:"customers"`
	}
	for _, path := range []string{"/api/events?limit=1000", "/api/customers?limit=1000"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	stored := map[string]map[string]any{}
	for _, e := range got.Events {
		stored[*e.CommandID] = map[string]any{"name": wire.CommandEvent, "customer_ids": decodeRaw(t, e.CustomerIDs),
			"event_type": e.EventType, "timestamp": e.Timestamp, "properties": decodeRaw(t, e.Properties)}
	}
	for _, c := range got.Customers {
		stored[*c.CommandID] = map[string]any{"name": wire.CommandCustomer, "customer_ids": decodeRaw(t, c.CustomerIDs), "properties": decodeRaw(t, c.Properties)}
	}
	kinds := map[string]int{}
	for _, r := range built {
		var cmd struct {
			Name      string         `json:"name"`
			CommandID string         `json:"command_id"`
			Data      map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(r.Body), &cmd); err != nil {
			t.Fatalf("the tracker built invalid JSON: %v\n%s", err, r.Body)
		}
		want := cmd.Data
		want["name"] = cmd.Name
		if !reflect.DeepEqual(stored[cmd.CommandID], want) {
			t.Errorf("command %s:\nstored %v\nbuilt  %v", cmd.CommandID, stored[cmd.CommandID], want)
		}
		if et, ok := want["event_type"].(string); ok {
			kinds[et]++
		} else {
			kinds[cmd.Name]++
		}
	}
	wantKinds := map[string]int{"installation": 2, "session_start": 2, "session_end": 1, "purchase": 1, "after_identify": 1, wire.CommandCustomer: 1}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("built %v, want every kind: %v", kinds, wantKinds)
	}
	if len(stored) != len(built) {
		t.Errorf("stored %d commands, built %d", len(stored), len(built))
	}
}

func decodeRaw(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("stored invalid JSON %s: %v", raw, err)
	}
	return v
}
