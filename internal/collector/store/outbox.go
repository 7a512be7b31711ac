package store

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// OutboxRow is an accepted command waiting in the relay's outbox.
type OutboxRow struct {
	Project, CommandID string
	Kind               queue.Kind
	Created            int64 // Unix ms
	Body               string
}

// NewOutboxRow builds the command the relay forwards for rec, with the
// wire package's encoders: the timestamp the collector stamped on an event
// that had none goes with it (forwarded later, the upstream would stamp
// the time of forwarding), and a command without an id gets a UUID, the
// key of its outbox row.
func NewOutboxRow(project string, rec Record, receivedAt float64) (OutboxRow, error) {
	row := OutboxRow{Project: project, CommandID: rec.CommandID, Created: int64(receivedAt * 1000)}
	if row.CommandID == "" {
		row.CommandID = uuid.NewString()
	}
	ids, err := jsonx.Object([]byte(rec.CustomerIDs))
	if err != nil {
		return row, fmt.Errorf("store: outbox: customer ids: %w", err)
	}
	props, err := jsonx.Object([]byte(rec.Properties))
	if err != nil {
		return row, fmt.Errorf("store: outbox: properties: %w", err)
	}
	switch rec.Kind {
	case wire.CommandEvent:
		e := wire.Event{ID: row.CommandID, CustomerIDs: ids, Type: jsonx.AppendString(nil, rec.EventType),
			Timestamp: rec.Timestamp, Properties: props}
		row.Kind, row.Body = queue.KindEvent, string(e.AppendJSON(nil))
	case wire.CommandCustomer:
		c := wire.Customer{ID: row.CommandID, CustomerIDs: ids, Properties: props}
		row.Kind, row.Body = queue.KindCustomer, string(c.AppendJSON(nil))
	default:
		return row, fmt.Errorf("store: outbox: unknown record kind %q", rec.Kind)
	}
	return row, nil
}
