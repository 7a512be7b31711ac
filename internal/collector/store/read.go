package store

import (
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Table names what a read lists.
type Table int

// The tables the read API lists.
const (
	Events Table = iota
	Customers
	Outbox
)

// Name is the table's name, also the member of the read API's answer
// that holds its rows.
func (t Table) Name() string {
	switch t {
	case Events:
		return "events"
	case Customers:
		return "customers"
	}
	return "outbox"
}

// Query holds the read API's filters; empty strings do not filter.
type Query struct {
	Project, EventType, Cookie string
	AfterID, BeforeID          int64 // 0: no bound
	Limit                      int
	Desc                       bool
}

// Page is one answer of the read API being written: the rows, as JSON
// text appended one by one, up to a byte budget. A backend calls Row for
// each row it reads, in the query's order, and stops when Row returns
// false.
type Page struct {
	buf      []byte
	rows     int
	last     int64 // id of the last row written
	maxBytes int
	limit    int
	full     bool // stopped by the byte budget: more rows may follow
}

// NewPage starts the answer listing t, for at most q.Limit rows and about
// maxBytes (a row that crosses the budget is the last one, never cut).
func NewPage(t Table, q Query, maxBytes int) *Page {
	return &Page{buf: []byte(`{"` + t.Name() + `":[`), maxBytes: maxBytes, limit: q.Limit}
}

// Row appends one row, written by appendRow, whose id (the cursor) is
// id; it reports whether the page takes more.
func (p *Page) Row(id int64, appendRow func(dst []byte) []byte) bool {
	if p.rows > 0 {
		p.buf = append(p.buf, ',')
	}
	p.buf = appendRow(p.buf)
	p.rows++
	p.last = id
	if len(p.buf) >= p.maxBytes {
		p.full = true
	}
	return !p.full && p.rows < p.limit
}

// Close ends the page's JSON and returns it, with the cursor of the next
// page when more may follow: "next_after_id" (ascending) or
// "next_before_id" (descending).
func (p *Page) Close(q Query) []byte {
	p.buf = append(p.buf, ']')
	if p.rows > 0 && (p.full || p.rows == q.Limit) {
		if q.Desc {
			p.buf = append(p.buf, `,"next_before_id":`...)
		} else {
			p.buf = append(p.buf, `,"next_after_id":`...)
		}
		p.buf = strconv.AppendInt(p.buf, p.last, 10)
	}
	return append(p.buf, '}')
}

// Row is a stored event or customer update as a backend reads it. The
// JSON columns were stored as compact, valid JSON and are copied as they
// are.
type Row struct {
	ID          int64
	Project     string
	CommandID   string
	HasID       bool // CommandID is set (else null)
	CustomerIDs []byte
	EventType   string // events only
	Timestamp   float64
	Properties  []byte
	ReceivedAt  float64
}

// AppendEvent writes r as an event of the read API.
func AppendEvent(dst []byte, r *Row) []byte {
	dst = appendHead(dst, r)
	dst = append(dst, `,"event_type":`...)
	dst = jsonx.AppendString(dst, r.EventType)
	dst = append(dst, `,"timestamp":`...)
	dst = jsonx.AppendFloat(dst, r.Timestamp)
	return appendTail(dst, r)
}

// AppendCustomer writes r as a customer update of the read API.
func AppendCustomer(dst []byte, r *Row) []byte {
	return appendTail(appendHead(dst, r), r)
}

// appendHead writes the members every stored command has first.
func appendHead(dst []byte, r *Row) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, r.ID, 10)
	dst = append(dst, `,"project":`...)
	dst = jsonx.AppendString(dst, r.Project)
	dst = append(dst, `,"command_id":`...)
	if r.HasID {
		dst = jsonx.AppendString(dst, r.CommandID)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"customer_ids":`...)
	return append(dst, r.CustomerIDs...)
}

func appendTail(dst []byte, r *Row) []byte {
	dst = append(dst, `,"properties":`...)
	dst = append(dst, r.Properties...)
	dst = append(dst, `,"received_at":`...)
	dst = jsonx.AppendFloat(dst, r.ReceivedAt)
	return append(dst, '}')
}

// OutboxEntry is a command waiting in the relay's outbox, with its retry
// state, as GET /api/outbox lists it.
type OutboxEntry struct {
	Seq, CreatedMs, NotBeforeMs int64
	Rejections                  int
	Project, CommandID, Kind    string
	Body                        []byte // the command, as JSON
}

// AppendOutbox writes e as an entry of GET /api/outbox.
func AppendOutbox(dst []byte, e *OutboxEntry) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, e.Seq, 10)
	for _, f := range []struct{ k, v string }{{"project", e.Project}, {"command_id", e.CommandID}, {"kind", e.Kind}} {
		dst = append(dst, `,"`+f.k+`":`...)
		dst = jsonx.AppendString(dst, f.v)
	}
	dst = append(dst, `,"created_ms":`...)
	dst = strconv.AppendInt(dst, e.CreatedMs, 10)
	dst = append(dst, `,"rejections":`...)
	dst = strconv.AppendInt(dst, int64(e.Rejections), 10)
	dst = append(dst, `,"not_before_ms":`...)
	dst = strconv.AppendInt(dst, e.NotBeforeMs, 10)
	dst = append(dst, `,"command":`...)
	return append(append(dst, e.Body...), '}')
}
