package sqlite

import (
	"fmt"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// The columns of the rows a request writes; project and received_at,
// first, are the same for all of them.
var (
	eventCols    = []string{"project", "received_at", "command_id", "customer_ids", "event_type", "timestamp", "properties"}
	customerCols = []string{"project", "received_at", "command_id", "customer_ids", "properties"}
	ledgerCols   = []string{"project", "key"}
)

// Commit stores w durably, its records and its counts in one
// transaction; a record whose command_id was stored before (in this
// request or an earlier one) is counted as a duplicate and not stored
// again. The dedupe index and the stores happen in one writer job, and
// jobs run one at a time, so two concurrent requests carrying the same id
// can never both store it.
func (st *Store) Commit(w store.Write) error {
	var added []idKey
	window := ""
	if st.own[w.Project] {
		window = w.Project
	}
	body := func(g *group) error {
		ledger := []any{window} // the shared value, then the keys
		events := []any{w.Project, w.ReceivedAt}
		customers := []any{w.Project, w.ReceivedAt}
		var outbox []store.OutboxRow
		for _, rec := range w.Records {
			if rec.CommandID != "" {
				k := keyOf(w.Project, rec.CommandID)
				if st.seen.has(window, k) {
					continue
				}
				st.seen.of(window).add(k)
				added = append(added, k)
				ledger = append(ledger, k[:])
			}
			var id any // NULL when the command had no id
			if rec.CommandID != "" {
				id = rec.CommandID
			}
			switch {
			case w.Relay:
				row, err := store.NewOutboxRow(w.Project, rec, w.ReceivedAt)
				if err != nil {
					return err
				}
				outbox = append(outbox, row)
			case rec.Kind == wire.CommandEvent:
				events = append(events, id, rec.CustomerIDs, rec.EventType, rec.Timestamp, rec.Properties)
			case rec.Kind == wire.CommandCustomer:
				customers = append(customers, id, rec.CustomerIDs, rec.Properties)
			default:
				return fmt.Errorf("sqlite: unknown record kind %q", rec.Kind)
			}
		}
		if err := g.insertRows("ledger", ledgerCols, 1, ledger); err != nil {
			return err
		}
		if err := g.insertRows("events", eventCols, 2, events); err != nil {
			return err
		}
		if err := g.insertRows("customers", customerCols, 2, customers); err != nil {
			return err
		}
		if err := insertOutbox(g, outbox); err != nil {
			return err
		}
		g.count(store.CounterCommands, int64(w.Commands))
		g.count(store.CounterDuplicates, int64(len(w.Records)-len(added)-noID(w.Records)))
		g.count(store.StatusCounter(w.Status), 1)
		return nil
	}
	err := st.wr.do(func(g *group) error {
		err := body(g)
		if err != nil {
			// At once: a later job of this group must not take these
			// ids for duplicates of records that were never stored.
			st.seen.of(window).forget(added)
			added = nil
		}
		return err
	}, func(err error) {
		if err != nil {
			st.seen.of(window).forget(added)
		}
	}, w.Expected)
	if err != nil {
		return fmt.Errorf("sqlite: store: %w", err)
	}
	return nil
}

// Expect announces a Commit that will come soon (see store.Group.Expect).
func (st *Store) Expect() { st.wr.group.Expect() }

// Unexpect withdraws an Expect whose request will not store anything.
func (st *Store) Unexpect() { st.wr.group.Unexpect() }

// Count counts a request that stored nothing, answered with status (or
// store.StatusDropped); it is written with the next counts.
func (st *Store) Count(status int) { st.tally.Add(status) }

// Forwarded counts n commands the upstream confirmed (relay).
func (st *Store) Forwarded(n int) { st.tally.Forwarded(n) }

// ForwardDropped counts a command the relay gave up.
func (st *Store) ForwardDropped() { st.tally.ForwardDropped() }

// writeCounts adds counts to the counters table in a writer job.
func (st *Store) writeCounts(counts map[string]int64) error {
	return st.wr.do(func(g *group) error {
		for name, v := range counts {
			g.count(name, v)
		}
		return nil
	}, nil, false)
}

// noID counts the records without a command_id, which are never
// duplicates.
func noID(recs []store.Record) int {
	n := 0
	for _, r := range recs {
		if r.CommandID == "" {
			n++
		}
	}
	return n
}
