package collector

import (
	"context"
	"fmt"
	"strings"
)

// Stats is the body of GET /api/stats.
type Stats struct {
	Events             int64            `json:"events"`
	Customers          int64            `json:"customers"`
	Outbox             int64            `json:"outbox"` // commands waiting to be forwarded (relay)
	CommandsReceived   int64            `json:"commands_received"`
	DuplicatesReceived int64            `json:"duplicates_received"`
	Forwarded          int64            `json:"forwarded"`       // commands the upstream confirmed (relay)
	ForwardDropped     int64            `json:"forward_dropped"` // commands the upstream refused for good (relay)
	Requests           int64            `json:"requests"`
	RequestsByStatus   map[string]int64 `json:"requests_by_status"`
}

// Counter names of the relay.
const (
	counterForwarded      = "forwarded"
	counterForwardDropped = "forward_dropped"
)

// stats reads the row counts, then the counters and the request counts
// not yet written, which t keeps consistent with the table.
func (st *store) stats(ctx context.Context, t *tally) (Stats, error) {
	s := Stats{RequestsByStatus: map[string]int64{}}
	if err := st.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM customers),
		(SELECT COUNT(*) FROM outbox)`).Scan(&s.Events, &s.Customers, &s.Outbox); err != nil {
		return s, fmt.Errorf("collector: stats: %w", err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	rows, err := st.r.QueryContext(ctx, `SELECT name, value FROM counters`)
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
		s.add(name, v)
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("collector: stats: %w", err)
	}
	t.pending(s.add)
	for _, v := range s.RequestsByStatus {
		s.Requests += v
	}
	return s, nil
}

// add adds a counter's value to its field.
func (s *Stats) add(name string, v int64) {
	switch {
	case name == counterCommands:
		s.CommandsReceived += v
	case name == counterDuplicates:
		s.DuplicatesReceived += v
	case name == counterForwarded:
		s.Forwarded += v
	case name == counterForwardDropped:
		s.ForwardDropped += v
	case strings.HasPrefix(name, statusCounterPrefix):
		s.RequestsByStatus[strings.TrimPrefix(name, statusCounterPrefix)] += v
	}
}
