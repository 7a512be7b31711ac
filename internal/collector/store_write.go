package collector

import (
	"context"
	"database/sql"
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

// write is one request's worth of storage work, done in one transaction.
type write struct {
	project    string
	records    []record // valid events and customer updates, in command order
	receivedAt float64
	commands   int    // commands received in the request, valid or not
	status     string // request counter to bump in the same transaction, or ""
}

// commit stores w in one transaction and reports, per record, whether its
// command_id had been stored before (in this request or an earlier one).
// Duplicates are detected by the primary key of the commands table, so two
// concurrent requests carrying the same id can never both store it.
func (st *store) commit(ctx context.Context, w write) (dup []bool, err error) {
	tx, err := st.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("collector: begin: %w", err)
	}
	defer tx.Rollback()
	dup = make([]bool, len(w.records))
	dups := 0
	for i, rec := range w.records {
		if rec.commandID != "" {
			res, err := tx.ExecContext(ctx,
				`INSERT INTO commands (project, command_id, received_at) VALUES (?, ?, ?)
				 ON CONFLICT DO NOTHING`, w.project, rec.commandID, w.receivedAt)
			if err != nil {
				return nil, fmt.Errorf("collector: record command id: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return nil, fmt.Errorf("collector: record command id: %w", err)
			} else if n == 0 {
				dup[i] = true
				dups++
				continue
			}
		}
		if err := insertRecord(ctx, tx, w.project, rec, w.receivedAt); err != nil {
			return nil, err
		}
	}
	if err := addCounters(ctx, tx, map[string]int64{
		counterCommands:   int64(w.commands),
		counterDuplicates: int64(dups),
		w.status:          1,
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("collector: commit: %w", err)
	}
	return dup, nil
}

func insertRecord(ctx context.Context, tx *sql.Tx, project string, rec record, receivedAt float64) error {
	var id any // NULL when the command had no id
	if rec.commandID != "" {
		id = rec.commandID
	}
	var err error
	switch rec.kind {
	case wire.CommandEvent:
		_, err = tx.ExecContext(ctx,
			`INSERT INTO events (project, command_id, customer_ids, event_type, timestamp, properties, received_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`,
			project, id, rec.customerIDs, rec.eventType, rec.timestamp, rec.properties, receivedAt)
	case wire.CommandCustomer:
		_, err = tx.ExecContext(ctx,
			`INSERT INTO customers (project, command_id, customer_ids, properties, received_at)
			 VALUES (?, ?, ?, ?, ?)`,
			project, id, rec.customerIDs, rec.properties, receivedAt)
	default:
		err = fmt.Errorf("unknown record kind %q", rec.kind)
	}
	if err != nil {
		return fmt.Errorf("collector: store %s: %w", rec.kind, err)
	}
	return nil
}

// addCounters adds each delta to its counter; empty names and zero deltas
// are skipped.
func addCounters(ctx context.Context, tx *sql.Tx, deltas map[string]int64) error {
	for name, d := range deltas {
		if name == "" || d == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO counters (name, value) VALUES (?, ?)
			 ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`, name, d); err != nil {
			return fmt.Errorf("collector: update counter %s: %w", name, err)
		}
	}
	return nil
}

// countRequest bumps one request counter in its own transaction; used for
// responses that stored nothing.
func (st *store) countRequest(ctx context.Context, name string) error {
	tx, err := st.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("collector: begin: %w", err)
	}
	defer tx.Rollback()
	if err := addCounters(ctx, tx, map[string]int64{name: 1}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("collector: commit: %w", err)
	}
	return nil
}
