// Package storetest holds the contract tests every storage backend of the
// collector passes (the SQLite file, PostgreSQL): what a Commit stores and
// counts, dedupe on command_id, the reads, the relay's outbox, Reset.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// Backend is what the contract covers.
type Backend interface {
	Commit(w store.Write) error
	Count(status int)
	Read(ctx context.Context, t store.Table, q store.Query, p *store.Page) error
	Stats(ctx context.Context) (store.Stats, error)
	Reset(ctx context.Context) error
}

// Run runs the contract against fresh backends made by open, each empty.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	for _, c := range []struct {
		name string
		test func(t *testing.T, b Backend)
	}{
		{"stores events and customers and reads them back", storesAndReads},
		{"stores each command_id once per project", dedupes},
		{"stores each command_id once under concurrent writes", dedupesConcurrently},
		{"counts requests, commands and duplicates", counts},
		{"relayed commands go to the outbox", relays},
		{"reset forgets everything but the ids' growth", resets},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, open(t)) })
	}
}

// Ev is an event record; an empty id leaves command_id out.
func Ev(id, cookie, eventType string) store.Record {
	return store.Record{Kind: wire.CommandEvent, CommandID: id, CustomerIDs: `{"cookie":"` + cookie + `"}`,
		EventType: eventType, Timestamp: 1764320000.5, Properties: `{"n":1}`}
}

// Cu is a customer update.
func Cu(id, cookie string) store.Record {
	return store.Record{Kind: wire.CommandCustomer, CommandID: id, CustomerIDs: `{"cookie":"` + cookie + `"}`,
		Properties: `{"paying":true}`}
}

// Commit stores recs for project p as one request answered 200.
func Commit(t *testing.T, b Backend, p string, recs ...store.Record) {
	t.Helper()
	if err := b.Commit(store.Write{Project: p, Records: recs, ReceivedAt: 1764320001.25, Commands: len(recs), Status: 200}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// Row is a row of a list, as the read API's client decodes it.
type Row struct {
	ID          int64           `json:"id"`
	Project     string          `json:"project"`
	CommandID   *string         `json:"command_id"`
	CustomerIDs json.RawMessage `json:"customer_ids"`
	EventType   string          `json:"event_type"`
	Timestamp   float64         `json:"timestamp"`
	Properties  json.RawMessage `json:"properties"`
	ReceivedAt  float64         `json:"received_at"`
	Kind        string          `json:"kind"`
	Command     json.RawMessage `json:"command"`
}

// List reads one page of table t.
func List(t *testing.T, b Backend, table store.Table, q store.Query) []Row {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 1000
	}
	p := store.NewPage(table, q, 1<<20)
	if err := b.Read(context.Background(), table, q, p); err != nil {
		t.Fatalf("Read %s: %v", table.Name(), err)
	}
	var page map[string]json.RawMessage
	var rows []Row
	if err := json.Unmarshal(p.Close(q), &page); err != nil || json.Unmarshal(page[table.Name()], &rows) != nil {
		t.Fatalf("the page is not JSON: %v", err)
	}
	return rows
}

// Stats reads b's stats.
func Stats(t *testing.T, b Backend) store.Stats {
	t.Helper()
	s, err := b.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return s
}

func types(rows []Row) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.EventType)
	}
	return fmt.Sprint(out)
}

func storesAndReads(t *testing.T, b Backend) {
	Commit(t, b, "p1", Ev("e1", "c1", "purchase"), Cu("u1", "c1"), Ev("e2", "c2", "view"))
	Commit(t, b, "p2", Ev("", "c1", "other"))
	ev := List(t, b, store.Events, store.Query{})
	if len(ev) != 3 || ev[0].EventType != "purchase" || *ev[0].CommandID != "e1" || string(ev[0].CustomerIDs) != `{"cookie":"c1"}` ||
		ev[0].Timestamp != 1764320000.5 || string(ev[0].Properties) != `{"n":1}` || ev[0].ReceivedAt != 1764320001.25 ||
		ev[2].CommandID != nil || !(ev[0].ID < ev[1].ID && ev[1].ID < ev[2].ID) {
		t.Fatalf("events: %+v", ev)
	}
	for _, tt := range []struct {
		q    store.Query
		want string
	}{
		{store.Query{Project: "p1"}, "[purchase view]"},
		{store.Query{Cookie: "c1"}, "[purchase other]"},
		{store.Query{EventType: "view"}, "[view]"},
		{store.Query{AfterID: ev[0].ID}, "[view other]"},
		{store.Query{BeforeID: ev[2].ID, Desc: true}, "[view purchase]"},
		{store.Query{Limit: 1, Desc: true}, "[other]"},
	} {
		if got := types(List(t, b, store.Events, tt.q)); got != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.q, got, tt.want)
		}
	}
	cu := List(t, b, store.Customers, store.Query{Cookie: "c1"})
	if len(cu) != 1 || *cu[0].CommandID != "u1" || string(cu[0].Properties) != `{"paying":true}` {
		t.Errorf("customers: %+v", cu)
	}
}

func dedupes(t *testing.T, b Backend) {
	// In one write, across writes, across kinds; per project; never
	// without an id.
	Commit(t, b, "p", Ev("e1", "c", "a"), Ev("e1", "c", "a"), Cu("u1", "c"), Ev("", "c", "noid"), Ev("", "c", "noid"))
	Commit(t, b, "p", Ev("e1", "c", "a"), Cu("u1", "c"), Ev("u1", "c", "a"), Ev("e2", "c", "b"))
	Commit(t, b, "p2", Ev("e1", "c", "a"))
	if got := types(List(t, b, store.Events, store.Query{Project: "p"})); got != "[a noid noid b]" {
		t.Errorf("events of p: got %s", got)
	}
	if n := len(List(t, b, store.Events, store.Query{Project: "p2"})); n != 1 {
		t.Errorf("events of p2: got %d, want 1", n)
	}
	if n := len(List(t, b, store.Customers, store.Query{})); n != 1 {
		t.Errorf("customers: got %d, want 1", n)
	}
	if s := Stats(t, b); s.CommandsReceived != 10 || s.DuplicatesReceived != 4 {
		t.Errorf("stats: got %d commands, %d duplicates; want 10, 4", s.CommandsReceived, s.DuplicatesReceived)
	}
}

func dedupesConcurrently(t *testing.T, b Backend) {
	const writers, per = 16, 10
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var recs []store.Record
			for j := range per {
				recs = append(recs, Ev(fmt.Sprintf("id-%d", (i*3+j)%25), "c", "x")) // heavily overlapping
			}
			if err := b.Commit(store.Write{Project: "p", Records: recs, ReceivedAt: 1, Commands: per, Status: 200}); err != nil {
				t.Errorf("Commit: %v", err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, r := range List(t, b, store.Events, store.Query{}) {
		if seen[*r.CommandID] {
			t.Errorf("%s stored twice", *r.CommandID)
		}
		seen[*r.CommandID] = true
	}
	if len(seen) != 25 {
		t.Errorf("stored %d ids, want 25", len(seen))
	}
	if s := Stats(t, b); s.DuplicatesReceived != writers*per-25 {
		t.Errorf("duplicates: got %d, want %d", s.DuplicatesReceived, writers*per-25)
	}
}

func counts(t *testing.T, b Backend) {
	Commit(t, b, "p", Ev("e1", "c", "x"))
	if err := b.Commit(store.Write{Project: "p", Records: []store.Record{Ev("e2", "c", "x")}, ReceivedAt: 1, Commands: 3,
		Status: store.StatusDropped}); err != nil {
		t.Fatal(err)
	}
	b.Count(401)
	b.Count(401)
	b.Count(store.StatusDropped)
	s := Stats(t, b)
	want := map[string]int64{"200": 1, "dropped": 2, "401": 2}
	if fmt.Sprint(s.RequestsByStatus) != fmt.Sprint(want) || s.Requests != 5 || s.CommandsReceived != 4 || s.Events != 2 {
		t.Errorf("got %+v, want requests %v, 4 commands, 2 events", s, want)
	}
}

func relays(t *testing.T, b Backend) {
	if err := b.Commit(store.Write{Project: "p", Records: []store.Record{Ev("e1", "c", "x"), Cu("", "c"), Ev("e1", "c", "x")},
		ReceivedAt: 1764320001, Commands: 3, Status: 200, Relay: true}); err != nil {
		t.Fatal(err)
	}
	box := List(t, b, store.Outbox, store.Query{})
	if len(box) != 2 || box[0].Kind != "event" || *box[0].CommandID != "e1" || box[1].Kind != "customer" ||
		box[1].CommandID == nil || *box[1].CommandID == "" || !json.Valid(box[0].Command) {
		t.Fatalf("outbox: %+v", box)
	}
	if s := Stats(t, b); s.Outbox != 2 || s.Events != 0 || s.Customers != 0 || s.DuplicatesReceived != 1 {
		t.Errorf("stats: %+v", s)
	}
}

func resets(t *testing.T, b Backend) {
	Commit(t, b, "p", Ev("e1", "c", "x"))
	last := List(t, b, store.Events, store.Query{})[0].ID
	b.Count(401)
	if err := b.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := Stats(t, b); s.Events != 0 || s.Requests != 0 || s.CommandsReceived != 0 {
		t.Errorf("after reset: %+v", s)
	}
	Commit(t, b, "p", Ev("e1", "c", "x")) // forgotten: stored again
	ev := List(t, b, store.Events, store.Query{})
	if len(ev) != 1 || ev[0].ID <= last {
		t.Errorf("after reset: %+v, want one event with an id above %d", ev, last)
	}
}
