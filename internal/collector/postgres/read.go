package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// where builds the WHERE clause of a list. Ids grow with each insert,
// but with several collectors writing they are not committed in order: a
// reader paging by after_id may see an id after a larger one.
func where(q store.Query, withType bool) (string, []any) {
	args := []any{q.AfterID}
	conds := []string{"id > $1"}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if q.BeforeID > 0 {
		add("id < ?", q.BeforeID)
	}
	if q.Project != "" {
		add("project = ?", q.Project)
	}
	if withType && q.EventType != "" {
		add("event_type = ?", q.EventType)
	}
	if q.Cookie != "" {
		add("customer_ids::jsonb ->> 'cookie' = ?", q.Cookie)
	}
	order := " ORDER BY id ASC"
	if q.Desc {
		order = " ORDER BY id DESC"
	}
	args = append(args, q.Limit)
	return " WHERE " + strings.Join(conds, " AND ") + order + " LIMIT $" + strconv.Itoa(len(args)), args
}

// Read fills p with the rows of t that match q, in q's order, until the
// page is full. The outbox is listed oldest first, filtered by project
// only.
func (st *Store) Read(ctx context.Context, t store.Table, q store.Query, p *store.Page) error {
	if t == store.Outbox {
		return st.readOutbox(ctx, q, p)
	}
	cols, appendRow := "id, project, command_id, customer_ids, event_type, timestamp, properties, received_at", store.AppendEvent
	if t == store.Customers {
		cols, appendRow = "id, project, command_id, customer_ids, properties, received_at", store.AppendCustomer
	}
	clause, args := where(q, t == store.Events)
	rows, err := st.db.Query(ctx, "SELECT "+cols+" FROM "+t.Name()+clause, args...)
	if err != nil {
		return fmt.Errorf("postgres: query %s: %w", t.Name(), err)
	}
	defer rows.Close()
	var r store.Row
	var cid *string
	for rows.Next() {
		dst := []any{&r.ID, &r.Project, &cid, &r.CustomerIDs, &r.EventType, &r.Timestamp, &r.Properties, &r.ReceivedAt}
		if t == store.Customers {
			dst = []any{&r.ID, &r.Project, &cid, &r.CustomerIDs, &r.Properties, &r.ReceivedAt}
		}
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("postgres: read %s: %w", t.Name(), err)
		}
		r.CommandID, r.HasID = "", cid != nil
		if cid != nil {
			r.CommandID = *cid
		}
		if !p.Row(r.ID, func(b []byte) []byte { return appendRow(b, &r) }) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: query %s: %w", t.Name(), err)
	}
	return nil
}

// readOutbox lists the commands waiting to be forwarded, each with its
// retry state.
func (st *Store) readOutbox(ctx context.Context, q store.Query, p *store.Page) error {
	rows, err := st.db.Query(ctx, `SELECT seq, project, command_id, kind, created_ms, rejections, not_before_ms, body
		FROM outbox WHERE seq > $1 AND ($2 = '' OR project = $2) ORDER BY seq LIMIT $3`, q.AfterID, q.Project, q.Limit)
	if err != nil {
		return fmt.Errorf("postgres: query outbox: %w", err)
	}
	defer rows.Close()
	var e store.OutboxEntry
	for rows.Next() {
		if err := rows.Scan(&e.Seq, &e.Project, &e.CommandID, &e.Kind, &e.CreatedMs, &e.Rejections, &e.NotBeforeMs, &e.Body); err != nil {
			return fmt.Errorf("postgres: read outbox: %w", err)
		}
		if !p.Row(e.Seq, func(b []byte) []byte { return store.AppendOutbox(b, &e) }) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: query outbox: %w", err)
	}
	return nil
}

// Stats reads the row counts, then the counters of every instance, with
// this instance's counts not yet written; other instances' unwritten
// counts (at most a second's) are not seen.
func (st *Store) Stats(ctx context.Context) (store.Stats, error) {
	var s store.Stats
	if err := st.db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM customers),
		(SELECT COUNT(*) FROM outbox)`).Scan(&s.Events, &s.Customers, &s.Outbox); err != nil {
		return s, fmt.Errorf("postgres: stats: %w", err)
	}
	err := st.tally.Read(&s, func() error {
		rows, err := st.db.Query(ctx, `SELECT name, SUM(value)::bigint FROM counters GROUP BY name`)
		if err != nil {
			return err
		}
		var name string
		var v int64
		_, err = pgx.ForEachRow(rows, []any{&name, &v}, func() error {
			s.Add(name, v)
			return nil
		})
		return err
	})
	if err != nil {
		return s, fmt.Errorf("postgres: stats: %w", err)
	}
	s.Total()
	return s, nil
}
