package collector

import (
	"fmt"

	"github.com/exponea-wasm/tracker/internal/wire"
)

// Counter names in the counters table. Request counters are
// statusCounterPrefix + the status code ("status:200") or + "dropped" for a
// connection closed without a response.
const (
	counterCommands     = "commands_received"
	counterDuplicates   = "duplicates_received"
	statusCounterPrefix = "status:"
)

// write is one request's worth of storage work, done in one job.
type write struct {
	project    string
	records    []record // valid events and customer updates, in command order
	receivedAt float64
	commands   int    // commands received in the request, valid or not
	status     string // request counter to bump with the records, or ""
	relay      bool   // store into the outbox, for forwarding, instead of the tables
	expected   bool   // the writer was told to expect it (writer.expect)
}

// The columns of the rows a request writes; project and received_at,
// first, are the same for all of them.
var (
	eventCols    = []string{"project", "received_at", "command_id", "customer_ids", "event_type", "timestamp", "properties"}
	customerCols = []string{"project", "received_at", "command_id", "customer_ids", "properties"}
	ledgerCols   = []string{"key"}
)

// commit stores w durably and reports, per record, whether its command_id
// had been stored before (in this request or an earlier one). The dedupe
// index and the stores happen in one writer job, and jobs run one at a
// time, so two concurrent requests carrying the same id can never both
// store it.
func (st *store) commit(w write) (dup []bool, err error) {
	dup = make([]bool, len(w.records))
	var added []idKey
	body := func(g *group) error {
		var ledger []any // the values of the rows, flat, after the shared ones
		events := []any{w.project, w.receivedAt}
		customers := []any{w.project, w.receivedAt}
		var outbox []outboxRow
		for i, rec := range w.records {
			if rec.commandID != "" {
				k := keyOf(w.project, rec.commandID)
				if dup[i] = st.seen.has(k); dup[i] {
					continue
				}
				st.seen.add(k)
				added = append(added, k)
				ledger = append(ledger, k[:])
			}
			var id any // NULL when the command had no id
			if rec.commandID != "" {
				id = rec.commandID
			}
			switch {
			case w.relay:
				row, err := newOutboxRow(w.project, rec, w.receivedAt)
				if err != nil {
					return err
				}
				outbox = append(outbox, row)
			case rec.kind == wire.CommandEvent:
				events = append(events, id, rec.customerIDs, rec.eventType, rec.timestamp, rec.properties)
			case rec.kind == wire.CommandCustomer:
				customers = append(customers, id, rec.customerIDs, rec.properties)
			default:
				return fmt.Errorf("collector: unknown record kind %q", rec.kind)
			}
		}
		if err := g.insertRows("ledger", ledgerCols, 0, ledger); err != nil {
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
		g.count(counterCommands, int64(w.commands))
		g.count(counterDuplicates, int64(len(w.records)-len(added)-noID(w.records)))
		g.count(w.status, 1)
		return nil
	}
	err = st.wr.do(func(g *group) error {
		err := body(g)
		if err != nil {
			// At once: a later job of this group must not take these
			// ids for duplicates of records that were never stored.
			st.seen.forget(added)
			added = nil
		}
		return err
	}, func(err error) {
		if err != nil {
			st.seen.forget(added)
		}
	}, w.expected)
	if err != nil {
		return nil, fmt.Errorf("collector: store: %w", err)
	}
	return dup, nil
}

// noID counts the records without a command_id, which are never
// duplicates.
func noID(recs []record) int {
	n := 0
	for _, r := range recs {
		if r.commandID == "" {
			n++
		}
	}
	return n
}
