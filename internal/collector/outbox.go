package collector

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// outboxRow is an accepted command waiting in the relay's outbox.
type outboxRow struct {
	project, commandID string
	kind               queue.Kind
	created            int64 // Unix ms
	body               string
}

var outboxCols = []string{"project", "created_ms", "command_id", "kind", "body"}

// newOutboxRow builds the command the relay forwards for rec, with the
// wire package's encoders: the timestamp the collector stamped on an event
// that had none goes with it (forwarded later, the upstream would stamp
// the time of forwarding), and a command without an id gets a UUID, the
// key of its outbox row.
func newOutboxRow(project string, rec record, receivedAt float64) (outboxRow, error) {
	row := outboxRow{project: project, commandID: rec.commandID, created: int64(receivedAt * 1000)}
	if row.commandID == "" {
		row.commandID = uuid.NewString()
	}
	ids, err := jsonx.Object([]byte(rec.customerIDs))
	if err != nil {
		return row, fmt.Errorf("collector: outbox: customer ids: %w", err)
	}
	props, err := jsonx.Object([]byte(rec.properties))
	if err != nil {
		return row, fmt.Errorf("collector: outbox: properties: %w", err)
	}
	switch rec.kind {
	case wire.CommandEvent:
		e := wire.Event{ID: row.commandID, CustomerIDs: ids, Type: jsonx.AppendString(nil, rec.eventType),
			Timestamp: rec.timestamp, Properties: props}
		row.kind, row.body = queue.KindEvent, string(e.AppendJSON(nil))
	case wire.CommandCustomer:
		c := wire.Customer{ID: row.commandID, CustomerIDs: ids, Properties: props}
		row.kind, row.body = queue.KindCustomer, string(c.AppendJSON(nil))
	default:
		return row, fmt.Errorf("collector: outbox: unknown record kind %q", rec.kind)
	}
	return row, nil
}

// insertOutbox appends rows in g, at most MaxCommands per statement.
func insertOutbox(g *group, rows []outboxRow) error {
	for len(rows) > 0 {
		n := min(len(rows), wire.MaxCommands)
		vals := make([]any, 0, 2+n*3)
		vals = append(vals, rows[0].project, rows[0].created) // one request's: the same for all
		for _, r := range rows[:n] {
			vals = append(vals, r.commandID, string(r.kind), r.body)
		}
		if err := g.insertRows("outbox", outboxCols, 2, vals); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// listOutbox answers GET /api/outbox: the commands waiting to be
// forwarded, oldest first, paged by seq like the other lists
// (after_id, limit, next_after_id), each with its retry state.
func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request) {
	q, msg := parseQuery(r)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	q.desc, q.beforeID = false, 0
	args := []any{q.afterID}
	where := "seq > ?"
	if q.project != "" {
		where += " AND project = ?"
		args = append(args, q.project)
	}
	rows, err := s.st.r.QueryContext(r.Context(), `SELECT seq, project, command_id, kind, created_ms, rejections,
		not_before_ms, body FROM outbox WHERE `+where+` ORDER BY seq LIMIT ?`, append(args, q.limit)...)
	if err != nil {
		s.internalError(w, err)
		return
	}
	defer rows.Close()
	p := &page{buf: []byte(`{"outbox":[`), maxBytes: s.cfg.MaxReadBytes}
	for rows.Next() && !p.full {
		var seq, created, notBefore int64
		var rejections int
		var project, id, kind, body string
		if err := rows.Scan(&seq, &project, &id, &kind, &created, &rejections, &notBefore, &body); err != nil {
			s.internalError(w, err)
			return
		}
		if p.rows > 0 {
			p.buf = append(p.buf, ',')
		}
		p.buf = append(p.buf, `{"id":`...)
		p.buf = strconv.AppendInt(p.buf, seq, 10)
		for _, f := range []struct{ k, v string }{{"project", project}, {"command_id", id}, {"kind", kind}} {
			p.buf = append(p.buf, `,"`+f.k+`":`...)
			p.buf = jsonx.AppendString(p.buf, f.v)
		}
		p.buf = append(p.buf, `,"created_ms":`...)
		p.buf = strconv.AppendInt(p.buf, created, 10)
		p.buf = append(p.buf, `,"rejections":`...)
		p.buf = strconv.AppendInt(p.buf, int64(rejections), 10)
		p.buf = append(p.buf, `,"not_before_ms":`...)
		p.buf = strconv.AppendInt(p.buf, notBefore, 10)
		p.buf = append(p.buf, `,"command":`...)
		p.buf = append(append(p.buf, body...), '}')
		p.rows, p.last, p.full = p.rows+1, seq, len(p.buf) >= p.maxBytes
	}
	if err := rows.Err(); err != nil {
		s.internalError(w, err)
		return
	}
	writeBody(w, http.StatusOK, p.close(q))
}
