package tracker

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// chromeLinux is the user agent of the tests' device.
const chromeLinux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.8078.73 Safari/537.36"

// seqIDs returns an id generator giving id-1, id-2, ...
func seqIDs() func() string {
	n := 0
	return func() string { n++; return "id-" + strconv.Itoa(n) }
}

const now = 1764320000123.0 // Unix ms

func open(t *testing.T, store queue.Store, cfgJSON string) (*Tracker, []queue.Record) {
	t.Helper()
	cfg, err := ParseConfig([]byte(cfgJSON))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Open(ctxlite.Background(), store, cfg, Device{UserAgent: chromeLinux, Language: "en-US", ScreenWidth: 1280, ScreenHeight: 720}, seqIDs())
	if err != nil {
		t.Fatal(err)
	}
	recs, err := tr.Install(ctxlite.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return tr, recs
}

func bodies(t *testing.T, s queue.Store) []map[string]any {
	t.Helper()
	recs, err := s.Oldest(ctxlite.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal([]byte(r.Body), &out[i]); err != nil {
			t.Fatalf("record %d body %s: %v", i, r.Body, err)
		}
	}
	return out
}

func TestOpenCreatesCookieAndTracksInstallationOnce(t *testing.T) {
	store := queue.NewMemory()
	tr, recs := open(t, store, `{"projectToken":"p"}`)
	if tr.Cookie() != "id-1" {
		t.Fatalf("cookie: got %q, want id-1", tr.Cookie())
	}
	if len(recs) != 1 || recs[0].Kind != queue.KindEvent {
		t.Fatalf("got %d records, want the installation event", len(recs))
	}
	want := `{"name":"customers/events","command_id":"id-2","data":{"customer_ids":{"cookie":"id-1"},"event_type":"installation","timestamp":1764320000.123,"properties":{"browser":"Chrome Headless","browser_version":"156.0.8078.73","os_name":"Linux","device_type":"desktop","sdk":"exponea-wasm","sdk_version":"0.2.0","language":"en-US","screen":"1280x720","screen_width":1280,"screen_height":720}}}`
	if recs[0].Body != want {
		t.Errorf("installation body:\n got %s\nwant %s", recs[0].Body, want)
	}
	// A second tab (or a reload) sees the same cookie and tracks nothing.
	tr2, recs2 := open(t, store, `{"projectToken":"p"}`)
	if tr2.Cookie() != "id-1" || len(recs2) != 0 {
		t.Fatalf("second open: cookie %q, %d records; want id-1 and none", tr2.Cookie(), len(recs2))
	}
}

func TestTrackEventBodyMergesDefaults(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","defaultProperties":{"app":"shop","price":1}}`)
	res, stored := tr.Apply(ctxlite.Background(), []Call{
		{Method: "trackEvent", Args: []byte(`{"name":"purchase","properties":{"price":123.45,"item":"a\"b"}}`), TimeMs: now},
		{Method: "trackEvent", Args: []byte(`{"name":"view","timestamp":1700000000.5}`), TimeMs: now},
	})
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("call %d: %v", i, r.Err)
		}
	}
	want := []string{
		`{"name":"customers/events","command_id":"id-3","data":{"customer_ids":{"cookie":"id-1"},"event_type":"purchase","timestamp":1764320000.123,"properties":{"app":"shop","price":123.45,"item":"a\"b"}}}`,
		`{"name":"customers/events","command_id":"id-4","data":{"customer_ids":{"cookie":"id-1"},"event_type":"view","timestamp":1700000000.5,"properties":{"app":"shop","price":1}}}`,
	}
	if len(stored) != 2 {
		t.Fatalf("stored %d, want 2", len(stored))
	}
	for i, w := range want {
		if stored[i].Body != w || stored[i].ID != "id-"+strconv.Itoa(i+3) {
			t.Errorf("record %d:\n got %s (id %s)\nwant %s", i, stored[i].Body, stored[i].ID, w)
		}
	}
}

func TestIdentifyMergesIDsForLaterCalls(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","defaultProperties":{"app":"shop"}}`)
	ctx := ctxlite.Background()
	res, _ := tr.Apply(ctx, []Call{
		{Method: "trackEvent", Args: []byte(`{"name":"before"}`), TimeMs: now},
		{Method: "identifyCustomer", Args: []byte(`{"ids":{"registered":"a@b.com"},"properties":{"payingCustomer":true}}`), TimeMs: now},
		{Method: "trackEvent", Args: []byte(`{"name":"after"}`), TimeMs: now},
	})
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("call %d: %v", i, r.Err)
		}
	}
	tr.Apply(ctx, []Call{{Method: "identifyCustomer", Args: []byte(`{"ids":{"crm":"42","registered":"c@d.com"}}`), TimeMs: now}})
	tr.Apply(ctx, []Call{{Method: "trackEvent", Args: []byte(`{"name":"later"}`), TimeMs: now}})
	bs := bodies(t, store)
	ids := func(i int) string {
		b, _ := json.Marshal(bs[i]["data"].(map[string]any)["customer_ids"])
		return string(b)
	}
	for i, want := range []string{
		`{"cookie":"id-1"}`, // installation
		`{"cookie":"id-1"}`, // before
		`{"cookie":"id-1","registered":"a@b.com"}`,
		`{"cookie":"id-1","registered":"a@b.com"}`,
		`{"cookie":"id-1","crm":"42","registered":"c@d.com"}`,
		`{"cookie":"id-1","crm":"42","registered":"c@d.com"}`,
	} {
		if got := ids(i); got != want {
			t.Errorf("record %d customer_ids: got %s, want %s", i, got, want)
		}
	}
	if bs[2]["name"] != "customers" {
		t.Errorf("record 2 is %v, want a customers command", bs[2]["name"])
	}
	props, _ := json.Marshal(bs[2]["data"].(map[string]any)["properties"])
	if string(props) != `{"app":"shop","payingCustomer":true}` {
		t.Errorf("customer properties: got %s", props)
	}
	// Another tab opening later starts from the merged ids.
	tr2, _ := open(t, store, `{"projectToken":"p"}`)
	if got := tr2.id.CustomerIDs().AppendJSON(nil); string(got) != `{"cookie":"id-1","registered":"c@d.com","crm":"42"}` {
		t.Errorf("second tab ids: got %s", got)
	}
}

func TestDefaultCustomerPropertiesCanBeOff(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","defaultProperties":{"app":"shop"},"allowDefaultCustomerProperties":false}`)
	_, stored := tr.Apply(ctxlite.Background(), []Call{{Method: "identifyCustomer", Args: []byte(`{"properties":{"x":1}}`), TimeMs: now}})
	if !strings.Contains(stored[0].Body, `"properties":{"x":1}`) {
		t.Errorf("got %s, want only the customer's own properties", stored[0].Body)
	}
}

func TestBadInputIsRejectedAndStoresNothing(t *testing.T) {
	big := `"` + strings.Repeat("x", wire.MaxValueBytes) + `"`
	var many []string
	for i := range 60 {
		many = append(many, `"k`+strconv.Itoa(i)+`":"`+strings.Repeat("y", 14000)+`"`)
	}
	for _, tc := range []struct {
		method, args string
		class        ErrorClass
		field        string
	}{
		{"trackEvent", `{"properties":{}}`, TypeError, "name"},
		{"trackEvent", `{"name":""}`, TypeError, "name"},
		{"trackEvent", `{"name":42}`, TypeError, "name"},
		{"trackEvent", `"purchase"`, TypeError, "event"},
		{"trackEvent", `{"name":"a","properties":[1]}`, TypeError, "properties"},
		{"trackEvent", `{"name":"a","properties":"x"}`, TypeError, "properties"},
		{"trackEvent", `{"name":"a","properties":{"big":` + big + `}}`, RangeError, "properties.big"},
		{"trackEvent", `{"name":"a","properties":{` + strings.Join(many, ",") + `}}`, RangeError, "event"},
		{"trackEvent", `{"name":"a","timestamp":"now"}`, TypeError, "timestamp"},
		{"trackEvent", `{"name":"a","timestamp":-1}`, RangeError, "timestamp"},
		{"trackEvent", `{"name":"a","timestamp":1764320000123}`, RangeError, "timestamp"},
		{"identifyCustomer", `{"ids":{"registered":5}}`, TypeError, "ids.registered"},
		{"identifyCustomer", `{"ids":{"registered":""}}`, TypeError, "ids.registered"},
		{"identifyCustomer", `{"ids":{"cookie":"x"}}`, TypeError, "ids.cookie"},
		{"identifyCustomer", `{"ids":[]}`, TypeError, "ids"},
		{"identifyCustomer", `{"properties":5}`, TypeError, "properties"},
		{"identifyCustomer", `null`, TypeError, "customer"},
	} {
		t.Run(tc.method+" "+tc.field, func(t *testing.T) {
			store := queue.NewMemory()
			tr, _ := open(t, store, `{"projectToken":"p"}`)
			n0, _, _ := store.Count(ctxlite.Background())
			res, stored := tr.Apply(ctxlite.Background(), []Call{{Method: tc.method, Args: []byte(tc.args), TimeMs: now}})
			var ie *InputError
			if !errors.As(res[0].Err, &ie) {
				t.Fatalf("got %v, want an *InputError", res[0].Err)
			}
			if ie.Class != tc.class || ie.Field != tc.field || ie.Method != tc.method {
				t.Errorf("got %s %s.%s (%q), want %s %s.%s", ie.Class, ie.Method, ie.Field, ie.Error(), tc.class, tc.method, tc.field)
			}
			if n, _, _ := store.Count(ctxlite.Background()); n != n0 || len(stored) != 0 {
				t.Errorf("stored %d new records, want none", n-n0)
			}
		})
	}
}

func TestOneBadCallDoesNotSpoilTheBatch(t *testing.T) {
	tr, _ := open(t, queue.NewMemory(), `{"projectToken":"p"}`)
	res, stored := tr.Apply(ctxlite.Background(), []Call{
		{Method: "trackEvent", Args: []byte(`{"name":"ok1"}`), TimeMs: now},
		{Method: "trackEvent", Args: []byte(`{"name":""}`), TimeMs: now},
		{Method: "trackEvent", Args: []byte(`{"name":"ok2"}`), TimeMs: now},
	})
	if res[0].Err != nil || res[1].Err == nil || res[2].Err != nil || len(stored) != 2 {
		t.Fatalf("got %v / %d stored; want ok, error, ok and 2 stored", res, len(stored))
	}
}

func TestStoreFailureRejectsTheWholeBatch(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p"}`)
	store.Close()
	res, stored := tr.Apply(ctxlite.Background(), []Call{
		{Method: "trackEvent", Args: []byte(`{"name":"a"}`), TimeMs: now},
		{Method: "trackEvent", Args: []byte(`{"name":"b"}`), TimeMs: now},
	})
	if !errors.Is(res[0].Err, queue.ErrClosed) || !errors.Is(res[1].Err, queue.ErrClosed) || len(stored) != 0 {
		t.Fatalf("got %v, %d stored; want ErrClosed for both and nothing", res, len(stored))
	}
}

func TestDefaultPropertiesAtRuntime(t *testing.T) {
	tr, _ := open(t, queue.NewMemory(), `{"projectToken":"p","defaultProperties":{"a":1}}`)
	if got := string(tr.DefaultProperties()); got != `{"a":1}` {
		t.Fatalf("got %s", got)
	}
	if err := tr.SetDefaultProperties([]byte(`[1]`)); err == nil {
		t.Fatal("an array was accepted as default properties")
	}
	buf := []byte(`{"b":2}`)
	if err := tr.SetDefaultProperties(buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, `{"c":3}`) // the caller reusing its buffer must not change them
	_, stored := tr.Apply(ctxlite.Background(), []Call{{Method: "trackEvent", Args: []byte(`{"name":"e","properties":{"b":9}}`), TimeMs: now}})
	if !strings.Contains(stored[0].Body, `"properties":{"b":9}`) || string(tr.DefaultProperties()) != `{"b":2}` {
		t.Errorf("got %s and defaults %s", stored[0].Body, tr.DefaultProperties())
	}
}

func TestMergeEventWins(t *testing.T) {
	a, _ := parseProps("t", "p", []byte(`{"x":1,"y":2}`))
	b, _ := parseProps("t", "p", []byte(`{"y":3,"z":4}`))
	if got := string(Merge(a, b).AppendJSON(nil)); got != `{"x":1,"y":3,"z":4}` {
		t.Errorf("got %s", got)
	}
	d, _ := parseProps("t", "p", []byte(`{"x":1,"x":2}`))
	if got := string(d.AppendJSON(nil)); got != `{"x":2}` {
		t.Errorf("duplicate names: got %s, want the last one kept", got)
	}
}

// A journaled call keeps the id the page gave it, and a journal entry
// handed over twice (replayed after a crash, or by two tabs) is stored
// once; both times every call succeeds.
func TestJournalEntryIsStoredOnceWithThePagesIDs(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","automaticSessionTracking":false}`)
	calls := []Call{
		{Method: "identifyCustomer", Args: []byte(`{"ids":{"registered":"a@b.com"}}`), TimeMs: now, Key: "k-1", Entry: "0001-e"},
		{Method: "trackEvent", Args: []byte(`{"name":"a"}`), TimeMs: now, Key: "k-2", Entry: "0001-e"},
		{Method: "trackEvent", Args: []byte(`{"name":""}`), TimeMs: now, Key: "k-3", Entry: "0001-e"},
	}
	for round := range 2 {
		res, stored := tr.Apply(ctxlite.Background(), calls)
		if res[0].Err != nil || res[1].Err != nil || res[2].Err == nil {
			t.Fatalf("round %d: results %+v", round, res)
		}
		if want := map[int]int{0: 2, 1: 0}[round]; len(stored) != want {
			t.Fatalf("round %d: stored %d records, want %d", round, len(stored), want)
		}
	}
	bs := bodies(t, store)
	if len(bs) != 3 { // installation, customers, a
		t.Fatalf("queued %d records, want 3", len(bs))
	}
	if bs[1]["command_id"] != "k-1" || bs[2]["command_id"] != "k-2" {
		t.Errorf("command ids %v, %v; want the page's k-1, k-2", bs[1]["command_id"], bs[2]["command_id"])
	}
	if got := string(tr.CustomerIDs()); got != `{"cookie":"id-1","registered":"a@b.com"}` {
		t.Errorf("CustomerIDs: %s", got)
	}
}
