package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// where builds the WHERE clause of a list. The filters on project, event
// type and cookie have no index: a page reads rows in id order until it
// has limit matches.
func where(q store.Query, withType bool) (string, []any) {
	conds := []string{"id > ?"}
	args := []any{q.AfterID}
	if q.BeforeID > 0 {
		conds, args = append(conds, "id < ?"), append(args, q.BeforeID)
	}
	if q.Project != "" {
		conds, args = append(conds, "project = ?"), append(args, q.Project)
	}
	if withType && q.EventType != "" {
		conds, args = append(conds, "event_type = ?"), append(args, q.EventType)
	}
	if q.Cookie != "" {
		conds, args = append(conds, "json_extract(customer_ids, '$.cookie') = ?"), append(args, q.Cookie)
	}
	order := " ORDER BY id ASC"
	if q.Desc {
		order = " ORDER BY id DESC"
	}
	return " WHERE " + strings.Join(conds, " AND ") + order + " LIMIT ?", append(args, q.Limit)
}

const (
	eventSelect    = "id, project, command_id, customer_ids, event_type, timestamp, properties, received_at"
	customerSelect = "id, project, command_id, customer_ids, properties, received_at"
)

// Read fills p with the rows of t that match q, in q's order, until the
// page is full. The outbox is listed oldest first, by its seq, filtered
// by project only.
func (st *Store) Read(ctx context.Context, t store.Table, q store.Query, p *store.Page) error {
	if t == store.Outbox {
		return st.readOutbox(ctx, q, p)
	}
	cols, appendRow := eventSelect, store.AppendEvent
	if t == store.Customers {
		cols, appendRow = customerSelect, store.AppendCustomer
	}
	clause, args := where(q, t == store.Events)
	rows, err := st.r.QueryContext(ctx, "SELECT "+cols+" FROM "+t.Name()+clause, args...)
	if err != nil {
		return fmt.Errorf("sqlite: query %s: %w", t.Name(), err)
	}
	defer rows.Close()
	var r store.Row
	var cid sql.NullString
	for rows.Next() {
		dst := []any{&r.ID, &r.Project, &cid, &r.CustomerIDs, &r.EventType, &r.Timestamp, &r.Properties, &r.ReceivedAt}
		if t == store.Customers {
			dst = []any{&r.ID, &r.Project, &cid, &r.CustomerIDs, &r.Properties, &r.ReceivedAt}
		}
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("sqlite: read %s: %w", t.Name(), err)
		}
		r.CommandID, r.HasID = cid.String, cid.Valid
		if !p.Row(r.ID, func(b []byte) []byte { return appendRow(b, &r) }) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: query %s: %w", t.Name(), err)
	}
	return nil
}

// readOutbox lists the commands waiting to be forwarded, each with its
// retry state.
func (st *Store) readOutbox(ctx context.Context, q store.Query, p *store.Page) error {
	args := []any{q.AfterID}
	cond := "seq > ?"
	if q.Project != "" {
		cond += " AND project = ?"
		args = append(args, q.Project)
	}
	rows, err := st.r.QueryContext(ctx, `SELECT seq, project, command_id, kind, created_ms, rejections,
		not_before_ms, body FROM outbox WHERE `+cond+` ORDER BY seq LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return fmt.Errorf("sqlite: query outbox: %w", err)
	}
	defer rows.Close()
	var e store.OutboxEntry
	for rows.Next() {
		if err := rows.Scan(&e.Seq, &e.Project, &e.CommandID, &e.Kind, &e.CreatedMs, &e.Rejections, &e.NotBeforeMs, &e.Body); err != nil {
			return fmt.Errorf("sqlite: read outbox: %w", err)
		}
		if !p.Row(e.Seq, func(b []byte) []byte { return store.AppendOutbox(b, &e) }) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: query outbox: %w", err)
	}
	return nil
}

// Stats reads the row counts, then the counters and the counts not yet
// written, which the tally keeps consistent with the table.
func (st *Store) Stats(ctx context.Context) (store.Stats, error) {
	var s store.Stats
	if err := st.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM customers),
		(SELECT COUNT(*) FROM outbox)`).Scan(&s.Events, &s.Customers, &s.Outbox); err != nil {
		return s, fmt.Errorf("sqlite: stats: %w", err)
	}
	err := st.tally.Read(&s, func() error {
		rows, err := st.r.QueryContext(ctx, `SELECT name, value FROM counters`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var v int64
			if err := rows.Scan(&name, &v); err != nil {
				return err
			}
			s.Add(name, v)
		}
		return rows.Err()
	})
	if err != nil {
		return s, fmt.Errorf("sqlite: stats: %w", err)
	}
	s.Total()
	return s, nil
}
