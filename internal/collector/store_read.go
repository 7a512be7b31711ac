package collector

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// Event is one stored customers/events command, as the read API returns it.
type Event struct {
	ID          int64           `json:"id"`
	Project     string          `json:"project"`
	CommandID   *string         `json:"command_id"` // null when the command had none
	CustomerIDs json.RawMessage `json:"customer_ids"`
	EventType   string          `json:"event_type"`
	Timestamp   float64         `json:"timestamp"`
	Properties  json.RawMessage `json:"properties"`
	ReceivedAt  float64         `json:"received_at"`
}

// Customer is one stored customers command, as the read API returns it.
type Customer struct {
	ID          int64           `json:"id"`
	Project     string          `json:"project"`
	CommandID   *string         `json:"command_id"`
	CustomerIDs json.RawMessage `json:"customer_ids"`
	Properties  json.RawMessage `json:"properties"`
	ReceivedAt  float64         `json:"received_at"`
}

// Stats is the body of GET /api/stats.
type Stats struct {
	Events             int64            `json:"events"`
	Customers          int64            `json:"customers"`
	CommandsReceived   int64            `json:"commands_received"`
	DuplicatesReceived int64            `json:"duplicates_received"`
	Requests           int64            `json:"requests"`
	RequestsByStatus   map[string]int64 `json:"requests_by_status"`
}

// query holds the read API filters; empty strings do not filter.
type query struct {
	project, eventType, cookie string
	afterID                    int64
	limit                      int
	desc                       bool
}

// where builds the WHERE clause shared by both tables.
func (q query) where(withType bool) (string, []any) {
	conds := []string{"id > ?"}
	args := []any{q.afterID}
	if q.project != "" {
		conds, args = append(conds, "project = ?"), append(args, q.project)
	}
	if withType && q.eventType != "" {
		conds, args = append(conds, "event_type = ?"), append(args, q.eventType)
	}
	if q.cookie != "" {
		conds, args = append(conds, "json_extract(customer_ids, '$.cookie') = ?"), append(args, q.cookie)
	}
	order := " ORDER BY id ASC"
	if q.desc {
		order = " ORDER BY id DESC"
	}
	return " WHERE " + strings.Join(conds, " AND ") + order + " LIMIT ?", append(args, q.limit)
}

func (st *store) events(ctx context.Context, q query) ([]Event, error) {
	clause, args := q.where(true)
	rows, err := st.r.QueryContext(ctx, `SELECT id, project, command_id, customer_ids, event_type,
		timestamp, properties, received_at FROM events`+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("collector: query events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var cid sql.NullString
		var ids, props string
		if err := rows.Scan(&e.ID, &e.Project, &cid, &ids, &e.EventType, &e.Timestamp, &props, &e.ReceivedAt); err != nil {
			return nil, fmt.Errorf("collector: read event: %w", err)
		}
		e.CommandID, e.CustomerIDs, e.Properties = nullable(cid), json.RawMessage(ids), json.RawMessage(props)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("collector: query events: %w", err)
	}
	return out, nil
}

func (st *store) customers(ctx context.Context, q query) ([]Customer, error) {
	clause, args := q.where(false)
	rows, err := st.r.QueryContext(ctx, `SELECT id, project, command_id, customer_ids,
		properties, received_at FROM customers`+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("collector: query customers: %w", err)
	}
	defer rows.Close()
	out := []Customer{}
	for rows.Next() {
		var c Customer
		var cid sql.NullString
		var ids, props string
		if err := rows.Scan(&c.ID, &c.Project, &cid, &ids, &props, &c.ReceivedAt); err != nil {
			return nil, fmt.Errorf("collector: read customer: %w", err)
		}
		c.CommandID, c.CustomerIDs, c.Properties = nullable(cid), json.RawMessage(ids), json.RawMessage(props)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("collector: query customers: %w", err)
	}
	return out, nil
}

func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func (st *store) stats(ctx context.Context) (Stats, error) {
	s := Stats{RequestsByStatus: map[string]int64{}}
	// One read transaction, so the numbers come from one snapshot.
	tx, err := st.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s, fmt.Errorf("collector: stats: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM customers)`).
		Scan(&s.Events, &s.Customers); err != nil {
		return s, fmt.Errorf("collector: stats: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, value FROM counters`)
	if err != nil {
		return s, fmt.Errorf("collector: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return s, fmt.Errorf("collector: stats: %w", err)
		}
		switch {
		case name == counterCommands:
			s.CommandsReceived = v
		case name == counterDuplicates:
			s.DuplicatesReceived = v
		case strings.HasPrefix(name, statusCounterPrefix):
			s.RequestsByStatus[strings.TrimPrefix(name, statusCounterPrefix)] = v
			s.Requests += v
		}
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("collector: stats: %w", err)
	}
	return s, nil
}
