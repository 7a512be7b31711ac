package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// errStopped is returned for work submitted after the writer stopped.
var errStopped = errors.New("sqlite: database closed")

// job is one unit of write work: a request's records, an outbox update, a
// flush of the counters. run does it inside the group's transaction, in a
// savepoint of its own, so a job that fails is undone alone; after, if
// set, learns the outcome once the transaction has ended (nil: committed,
// so durable), before the submitter is told.
type job struct {
	run   func(g *group) error
	after func(err error)
	done  chan error
}

// group is the transaction a batch of jobs shares, and the counter deltas
// they add, written once at the end.
type group struct {
	ctx      context.Context
	tx       *sql.Tx
	w        *writer
	counters map[string]int64
}

// exec runs query in the group's transaction with a statement prepared
// once: statements are kept on the write connection across transactions.
// A query new to the cache is prepared in the transaction this time, and
// for the cache once the transaction has ended (a statement cannot be
// prepared outside it while it holds the only connection).
func (g *group) exec(query string, args ...any) error {
	var stmt *sql.Stmt
	if s, ok := g.w.cache[query]; ok {
		stmt = g.tx.StmtContext(g.ctx, s)
	} else {
		var err error
		if stmt, err = g.tx.PrepareContext(g.ctx, query); err != nil {
			return err
		}
		g.w.wanted[query] = true
	}
	_, err := stmt.ExecContext(g.ctx, args...)
	stmt.Close()
	return err
}

// count adds delta to a counter, written with the group.
func (g *group) count(name string, delta int64) {
	if name != "" && delta != 0 {
		g.counters[name] += delta
	}
}

// writer owns the single write connection. Jobs are gathered in groups
// (store.Group) and each group runs in one transaction, each job's
// submitter answered only after that commit: a 200 still means durable.
type writer struct {
	st     *Store
	cache  map[string]*sql.Stmt // prepared on the write connection
	wanted map[string]bool      // queries to prepare for the cache
	group  *store.Group[*job]
}

func newWriter(st *Store) *writer {
	w := &writer{st: st, cache: map[string]*sql.Stmt{}, wanted: map[string]bool{}, group: store.NewGroup[*job]()}
	go func() {
		defer func() {
			for _, s := range w.cache {
				s.Close()
			}
		}()
		w.group.Run(func(batch []*job) {
			w.commit(batch)
			w.prepareWanted()
		})
	}()
	return w
}

// do runs fn (and after) in the next group and returns its outcome once the
// group's transaction has ended. expected says that the submitter called
// Expect before.
func (w *writer) do(fn func(g *group) error, after func(error), expected bool) error {
	j := &job{run: fn, after: after, done: make(chan error, 1)}
	if !w.group.Submit(j, expected) {
		return errStopped
	}
	return <-j.done
}

// commit runs the batch in one transaction and answers every job.
func (w *writer) commit(batch []*job) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	g := &group{ctx: ctx, w: w, counters: map[string]int64{}}
	tx, err := w.st.w.BeginTx(ctx, nil)
	if err == nil {
		g.tx = tx
		for i, j := range batch {
			errs[i] = w.runOne(g, j)
		}
		if err = g.writeCounters(); err == nil {
			err = tx.Commit()
		}
		if err != nil {
			tx.Rollback()
		}
	}
	if err != nil {
		err = fmt.Errorf("sqlite: commit: %w", err)
	}
	for i, j := range batch {
		if errs[i] == nil {
			errs[i] = err
		}
		if j.after != nil {
			j.after(errs[i])
		}
		j.done <- errs[i]
	}
}

// runOne runs j in a savepoint, rolled back if j fails. Counts a failed
// job made are dropped with it.
func (w *writer) runOne(g *group, j *job) error {
	if err := g.exec("SAVEPOINT job"); err != nil {
		return err
	}
	saved := g.counters
	g.counters = map[string]int64{}
	err := j.run(g)
	if err != nil {
		g.counters = saved
		if rerr := g.exec("ROLLBACK TO job"); rerr != nil {
			err = errors.Join(err, rerr)
		}
	} else {
		for k, v := range g.counters {
			saved[k] += v
		}
		g.counters = saved
	}
	if rerr := g.exec("RELEASE job"); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// prepareWanted prepares the queries the last group met for the first
// time; the write connection is free between groups.
func (w *writer) prepareWanted() {
	for q := range w.wanted {
		delete(w.wanted, q)
		if s, err := w.st.w.PrepareContext(context.Background(), q); err == nil {
			w.cache[q] = s
		}
	}
}

// writeCounters adds each delta of the group to its counter.
func (g *group) writeCounters() error {
	for name, d := range g.counters {
		if err := g.exec(`INSERT INTO counters (name, value) VALUES (?, ?)
			 ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`, name, d); err != nil {
			return fmt.Errorf("update counter %s: %w", name, err)
		}
	}
	return nil
}

// insertRows runs one multi-row INSERT into table. The first shared
// columns have the same value in every row (a request's project and
// arrival time): vals starts with those, bound once, and goes on with the
// other columns' values row after row.
func (g *group) insertRows(table string, cols []string, shared int, vals []any) error {
	per := len(cols) - shared
	if len(vals) <= shared || per <= 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	for r := range (len(vals) - shared) / per {
		if r > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for c := range cols {
			if c > 0 {
				q.WriteByte(',')
			}
			n := c + 1
			if c >= shared {
				n = shared + r*per + (c - shared) + 1
			}
			q.WriteString("?" + strconv.Itoa(n))
		}
		q.WriteByte(')')
	}
	if err := g.exec(q.String(), vals...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}
