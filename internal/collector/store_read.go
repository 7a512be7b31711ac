package collector

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// query holds the read API filters; empty strings do not filter.
type query struct {
	project, eventType, cookie string
	afterID, beforeID          int64 // 0: no bound
	limit                      int
	desc                       bool
}

// where builds the WHERE clause shared by the tables. The filters on
// project, event type and cookie have no index: a page reads rows in id
// order until it has limit matches.
func (q query) where(withType bool) (string, []any) {
	conds := []string{"id > ?"}
	args := []any{q.afterID}
	if q.beforeID > 0 {
		conds, args = append(conds, "id < ?"), append(args, q.beforeID)
	}
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

// page is one response of the read API being written: the rows, as JSON
// text appended one by one, up to a byte budget.
type page struct {
	buf      []byte
	rows     int
	last     int64 // id of the last row written
	maxBytes int
	full     bool // stopped by the byte budget: more rows may follow
}

// table names a stored table and how to read one of its rows.
type table struct {
	name, cols string
	typed      bool // has event_type
	appendRow  func(dst []byte, rows *sql.Rows) ([]byte, int64, error)
}

var (
	eventsTable = table{"events", "id, project, command_id, customer_ids, event_type, timestamp, properties, received_at",
		true, appendEvent}
	customersTable = table{"customers", "id, project, command_id, customer_ids, properties, received_at",
		false, appendCustomer}
)

// read fills p with the rows of t that match q, in q's order, stopping
// when the limit is reached or the page has grown past p.maxBytes (the
// row that crosses it is the last one). A single row is never cut.
func (st *store) read(ctx context.Context, t table, q query, p *page) error {
	clause, args := q.where(t.typed)
	rows, err := st.r.QueryContext(ctx, "SELECT "+t.cols+" FROM "+t.name+clause, args...)
	if err != nil {
		return fmt.Errorf("collector: query %s: %w", t.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if p.rows > 0 {
			p.buf = append(p.buf, ',')
		}
		if p.buf, p.last, err = t.appendRow(p.buf, rows); err != nil {
			return fmt.Errorf("collector: read %s: %w", t.name, err)
		}
		p.rows++
		if len(p.buf) >= p.maxBytes {
			p.full = true
			break
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("collector: query %s: %w", t.name, err)
	}
	return nil
}

func appendEvent(dst []byte, rows *sql.Rows) ([]byte, int64, error) {
	var id int64
	var project, eventType string
	var cid sql.NullString
	var ids, props []byte
	var ts, received float64
	if err := rows.Scan(&id, &project, &cid, &ids, &eventType, &ts, &props, &received); err != nil {
		return dst, 0, err
	}
	dst = appendHead(dst, id, project, cid, ids)
	dst = append(dst, `,"event_type":`...)
	dst = jsonx.AppendString(dst, eventType)
	dst = append(dst, `,"timestamp":`...)
	dst = jsonx.AppendFloat(dst, ts)
	return appendTail(dst, props, received), id, nil
}

func appendCustomer(dst []byte, rows *sql.Rows) ([]byte, int64, error) {
	var id int64
	var project string
	var cid sql.NullString
	var ids, props []byte
	var received float64
	if err := rows.Scan(&id, &project, &cid, &ids, &props, &received); err != nil {
		return dst, 0, err
	}
	return appendTail(appendHead(dst, id, project, cid, ids), props, received), id, nil
}

// appendHead writes the members every stored command has first. The JSON
// columns were stored as compact, valid JSON and are copied as they are.
func appendHead(dst []byte, id int64, project string, cid sql.NullString, ids []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, id, 10)
	dst = append(dst, `,"project":`...)
	dst = jsonx.AppendString(dst, project)
	dst = append(dst, `,"command_id":`...)
	if cid.Valid {
		dst = jsonx.AppendString(dst, cid.String)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"customer_ids":`...)
	return append(dst, ids...)
}

func appendTail(dst, props []byte, received float64) []byte {
	dst = append(dst, `,"properties":`...)
	dst = append(dst, props...)
	dst = append(dst, `,"received_at":`...)
	dst = jsonx.AppendFloat(dst, received)
	return append(dst, '}')
}
