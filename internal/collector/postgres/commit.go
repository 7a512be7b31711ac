package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// errStopped is returned for work submitted after the writer stopped.
var errStopped = errors.New("postgres: store closed")

// job is one Commit, or one write of counts (w nil).
type job struct {
	w      *store.Write
	counts map[string]int64
	done   chan error
}

// Expect announces a Commit that will come soon (see store.Group.Expect).
func (st *Store) Expect() { st.wr.Expect() }

// Unexpect withdraws an Expect whose request will not store anything.
func (st *Store) Unexpect() { st.wr.Unexpect() }

// Count counts a request that stored nothing, answered with status (or
// store.StatusDropped); it is written with the next counts.
func (st *Store) Count(status int) { st.tally.Add(status) }

// Forwarded counts n commands the upstream confirmed (relay).
func (st *Store) Forwarded(n int) { st.tally.Forwarded(n) }

// ForwardDropped counts a command the relay gave up.
func (st *Store) ForwardDropped() { st.tally.ForwardDropped() }

// Commit stores w durably, its records and its counts in one
// transaction shared with the other Writes waiting (group commit); a
// record whose command_id this project stored before, here or at another
// collector, is counted as a duplicate and not stored again.
func (st *Store) Commit(w store.Write) error {
	return st.submit(&job{w: &w}, w.Expected)
}

// writeCounts adds counts to this instance's counters.
func (st *Store) writeCounts(counts map[string]int64) error {
	return st.submit(&job{counts: counts}, false)
}

func (st *Store) submit(j *job, expected bool) error {
	j.done = make(chan error, 1)
	if !st.wr.Submit(j, expected) {
		return errStopped
	}
	if err := <-j.done; err != nil {
		return fmt.Errorf("postgres: store: %w", err)
	}
	return nil
}

// commitGroup stores a group of jobs in one statement (one transaction).
// If it fails, each job is tried alone, so that one job's failure is its
// own.
func (st *Store) commitGroup(batch []*job) {
	err := st.store(batch)
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			j.done <- st.store([]*job{j})
		}
		return
	}
	for _, j := range batch {
		j.done <- err
	}
}

// store runs the statement of jobs, again after a deadlock or a
// serialization failure (which roll it back whole).
func (st *Store) store(jobs []*job) error {
	args, err := groupArgs(st.instance, jobs)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		_, err = st.db.Exec(context.Background(), storeGroup, args...)
		var pe *pgconn.PgError
		if err == nil || try == 2 || !errors.As(err, &pe) || (pe.Code != "40P01" && pe.Code != "40001") {
			return err
		}
	}
}

// storeGroup stores a group's records and counts in one statement, so in
// one transaction and one round trip. The rows come as arrays, one per
// column; dest says where a row goes: e(vents), c(ustomers) or o(utbox).
// Of the rows that carry a command_id, the first of each (project, id)
// is offered to command_ids, in key order; a row is stored if it carries
// no id, or if its id was new there. The duplicates are counted with the
// group's other counts, in this instance's counters.
const storeGroup = `
WITH input AS (
	SELECT * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::float8[], $9::text[], $10::float8[], $11::bigint[], $12::text[], $13::text[], $14::text[])
	AS t(ord, project, dest, command_id, customer_ids, event_type, ts, properties, received_at, created_ms, body, outbox_id, kind)
),
firsts AS (
	SELECT DISTINCT ON (project, command_id) ord, project, command_id FROM input
	WHERE command_id <> '' ORDER BY project, command_id, ord
),
fresh AS (
	INSERT INTO command_ids (project, command_id)
	SELECT project, command_id FROM firsts ORDER BY project, command_id
	ON CONFLICT DO NOTHING RETURNING project, command_id
),
kept AS (
	SELECT i.* FROM input i
	WHERE i.command_id = '' OR i.ord IN (SELECT f.ord FROM firsts f JOIN fresh USING (project, command_id))
),
e AS (
	INSERT INTO events (project, command_id, customer_ids, event_type, timestamp, properties, received_at)
	SELECT project, NULLIF(command_id, ''), customer_ids, event_type, ts, properties, received_at
	FROM kept WHERE dest = 'e' ORDER BY ord
),
c AS (
	INSERT INTO customers (project, command_id, customer_ids, properties, received_at)
	SELECT project, NULLIF(command_id, ''), customer_ids, properties, received_at
	FROM kept WHERE dest = 'c' ORDER BY ord
),
o AS (
	INSERT INTO outbox (project, command_id, kind, created_ms, body)
	SELECT project, outbox_id, kind, created_ms, body FROM kept WHERE dest = 'o' ORDER BY ord
),
counted AS (
	SELECT n AS name, SUM(v) AS value FROM (
		SELECT * FROM unnest($15::text[], $16::bigint[]) AS given(n, v)
		UNION ALL
		SELECT '` + store.CounterDuplicates + `',
			(SELECT COUNT(*) FROM input WHERE command_id <> '') - (SELECT COUNT(*) FROM kept WHERE command_id <> '')
	) AS all_counts GROUP BY n
)
INSERT INTO counters (instance, name, value)
SELECT $1, name, value FROM counted WHERE value <> 0
ON CONFLICT (instance, name) DO UPDATE SET value = counters.value + excluded.value`

// groupArgs lays the jobs' records out as storeGroup's arrays, and sums
// their counts.
func groupArgs(instance string, jobs []*job) ([]any, error) {
	var (
		ord                                                      []int32
		project, dest, id, ids, typ, props, body, outboxID, kind []string
		ts, received                                             []float64
		created                                                  []int64
	)
	counts := map[string]int64{}
	for _, j := range jobs {
		for name, v := range j.counts {
			counts[name] += v
		}
		w := j.w
		if w == nil {
			continue
		}
		counts[store.CounterCommands] += int64(w.Commands)
		if name := store.StatusCounter(w.Status); name != "" {
			counts[name]++
		}
		for _, rec := range w.Records {
			row := struct {
				dest, outboxID, kind, body string
				created                    int64
			}{}
			switch {
			case w.Relay:
				o, err := store.NewOutboxRow(w.Project, rec, w.ReceivedAt)
				if err != nil {
					return nil, err
				}
				row.dest, row.outboxID, row.kind, row.body, row.created = "o", o.CommandID, string(o.Kind), o.Body, o.Created
			case rec.Kind == wire.CommandEvent:
				row.dest = "e"
			case rec.Kind == wire.CommandCustomer:
				row.dest = "c"
			default:
				return nil, fmt.Errorf("unknown record kind %q", rec.Kind)
			}
			ord = append(ord, int32(len(ord)))
			project, dest, id = append(project, w.Project), append(dest, row.dest), append(id, rec.CommandID)
			ids, typ, ts = append(ids, rec.CustomerIDs), append(typ, rec.EventType), append(ts, rec.Timestamp)
			props, received = append(props, rec.Properties), append(received, w.ReceivedAt)
			created, body, outboxID, kind = append(created, row.created), append(body, row.body), append(outboxID, row.outboxID), append(kind, row.kind)
		}
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names) // counter rows locked in one order
	values := make([]int64, len(names))
	for i, name := range names {
		values[i] = counts[name]
	}
	return []any{instance, ord, project, dest, id, ids, typ, ts, props, received, created, body, outboxID, kind, names, values}, nil
}
