package sqlite

import (
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

var outboxCols = []string{"project", "created_ms", "command_id", "kind", "body"}

// insertOutbox appends rows in g, at most MaxCommands per statement.
func insertOutbox(g *group, rows []store.OutboxRow) error {
	for len(rows) > 0 {
		n := min(len(rows), wire.MaxCommands)
		vals := make([]any, 0, 2+n*3)
		vals = append(vals, rows[0].Project, rows[0].Created) // one request's: the same for all
		for _, r := range rows[:n] {
			vals = append(vals, r.CommandID, string(r.Kind), r.Body)
		}
		if err := g.insertRows("outbox", outboxCols, 2, vals); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// Outbox returns project's part of the outbox as a queue.Store.
func (st *Store) Outbox(project string) queue.Store {
	return &outboxStore{st: st, project: project}
}

// outboxStore is one project's part of the outbox as a queue.Store, the
// queue the SDK's flusher (internal/flush) sends from. Reads use the read
// pool; writes are jobs of the writer, so they share its transactions with
// the requests that fill the outbox.
type outboxStore struct {
	st      *Store
	project string
	closed  atomic.Bool
}

var _ queue.Store = (*outboxStore)(nil)

func (o *outboxStore) check() error {
	if o.closed.Load() {
		return fmt.Errorf("sqlite: outbox %s: %w", o.project, queue.ErrClosed)
	}
	return nil
}

// Append stores recs; the relay itself fills the outbox with the requests'
// own jobs (Store.Commit), this is the queue.Store way in.
func (o *outboxStore) Append(ctx ctxlite.Context, recs []queue.Record) ([]queue.Record, error) {
	stored, _, err := o.AppendOnce(ctx, []queue.Batch{{Recs: recs}})
	return stored, err
}

// AppendOnce stores the batches whose marks are not recorded yet, and
// their marks, in one writer job.
func (o *outboxStore) AppendOnce(ctx ctxlite.Context, batches []queue.Batch) ([]queue.Record, []bool, error) {
	if err := o.check(); err != nil {
		return nil, nil, err
	}
	var stored []queue.Record
	skipped := make([]bool, len(batches))
	err := o.st.wr.do(func(g *group) error {
		stored = stored[:0]
		for b, batch := range batches {
			skipped[b] = false
			if batch.Mark != "" {
				var v string
				err := g.tx.QueryRowContext(g.ctx, `SELECT value FROM outbox_state WHERE project = ? AND key = ?`,
					o.project, queue.MarkKey(batch.Mark)).Scan(&v)
				if err == nil {
					skipped[b] = true
					continue
				}
				if err != sql.ErrNoRows {
					return err
				}
				if _, err := g.tx.ExecContext(g.ctx, `INSERT INTO outbox_state (project, key, value) VALUES (?, ?, '1')`,
					o.project, queue.MarkKey(batch.Mark)); err != nil {
					return err
				}
			}
			for _, r := range batch.Recs {
				res, err := g.tx.ExecContext(g.ctx, `INSERT INTO outbox (project, command_id, kind, created_ms, body,
					rejections, not_before_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
					o.project, r.ID, string(r.Kind), r.CreatedMs, r.Body, r.Rejections, r.NotBeforeMs)
				if err != nil {
					return err
				}
				if r.Seq, err = res.LastInsertId(); err != nil {
					return err
				}
				stored = append(stored, r)
			}
		}
		return nil
	}, nil, false)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: outbox append: %w", err)
	}
	return stored, skipped, nil
}

// DropMarks deletes the marks that sort before the mark before.
func (o *outboxStore) DropMarks(ctx ctxlite.Context, before string) error {
	if err := o.check(); err != nil {
		return err
	}
	err := o.st.wr.do(func(g *group) error {
		_, err := g.tx.ExecContext(g.ctx, `DELETE FROM outbox_state WHERE project = ? AND key >= ? AND key < ?`,
			o.project, queue.MarkKey(""), queue.MarkKey(before))
		return err
	}, nil, false)
	if err != nil {
		return fmt.Errorf("sqlite: outbox marks: %w", err)
	}
	return nil
}

func (o *outboxStore) Oldest(ctx ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	sc, release := ctxlite.Std(ctx)
	defer release()
	rows, err := o.st.r.QueryContext(sc, `SELECT seq, command_id, kind, created_ms, body, rejections, not_before_ms
		FROM outbox WHERE project = ? AND seq > ? ORDER BY seq LIMIT ?`, o.project, after, n)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox read: %w", err)
	}
	defer rows.Close()
	var out []queue.Record
	for rows.Next() {
		var r queue.Record
		var kind string
		if err := rows.Scan(&r.Seq, &r.ID, &kind, &r.CreatedMs, &r.Body, &r.Rejections, &r.NotBeforeMs); err != nil {
			return nil, fmt.Errorf("sqlite: outbox read: %w", err)
		}
		r.Kind = queue.Kind(kind)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: outbox read: %w", err)
	}
	return out, nil
}

func (o *outboxStore) Update(ctx ctxlite.Context, recs []queue.Record) error {
	if err := o.check(); err != nil {
		return err
	}
	err := o.st.wr.do(func(g *group) error {
		for _, r := range recs {
			if _, err := g.tx.ExecContext(g.ctx, `UPDATE outbox SET rejections = ?, not_before_ms = ?
				WHERE project = ? AND seq = ?`, r.Rejections, r.NotBeforeMs, o.project, r.Seq); err != nil {
				return err
			}
		}
		return nil
	}, nil, false)
	if err != nil {
		return fmt.Errorf("sqlite: outbox update: %w", err)
	}
	return nil
}

// Delete removes the records with these seqs: the flusher calls it for
// commands the upstream confirmed, and for those it gave up.
func (o *outboxStore) Delete(ctx ctxlite.Context, seqs []int64) error {
	if err := o.check(); err != nil {
		return err
	}
	err := o.st.wr.do(func(g *group) error {
		for len(seqs) > 0 {
			n := min(len(seqs), 500)
			args := []any{o.project}
			for _, s := range seqs[:n] {
				args = append(args, s)
			}
			if _, err := g.tx.ExecContext(g.ctx, `DELETE FROM outbox WHERE project = ? AND seq IN (`+
				strings.TrimSuffix(strings.Repeat("?,", n), ",")+`)`, args...); err != nil {
				return err
			}
			seqs = seqs[n:]
		}
		return nil
	}, nil, false)
	if err != nil {
		return fmt.Errorf("sqlite: outbox delete: %w", err)
	}
	return nil
}

func (o *outboxStore) Count(ctx ctxlite.Context) (int, int64, error) {
	if err := o.check(); err != nil {
		return 0, 0, err
	}
	var n int
	var bytes int64
	sc, release := ctxlite.Std(ctx)
	defer release()
	if err := o.st.r.QueryRowContext(sc, `SELECT COUNT(*), COALESCE(SUM(length(CAST(body AS BLOB))), 0)
		FROM outbox WHERE project = ?`, o.project).Scan(&n, &bytes); err != nil {
		return 0, 0, fmt.Errorf("sqlite: outbox count: %w", err)
	}
	return n, bytes, nil
}

func (o *outboxStore) Len(ctx ctxlite.Context) (int, error) {
	if err := o.check(); err != nil {
		return 0, err
	}
	var n int
	sc, release := ctxlite.Std(ctx)
	defer release()
	if err := o.st.r.QueryRowContext(sc, `SELECT COUNT(*) FROM outbox WHERE project = ?`, o.project).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: outbox length: %w", err)
	}
	return n, nil
}

func (o *outboxStore) GetState(ctx ctxlite.Context, key string) (string, bool, error) {
	if err := o.check(); err != nil {
		return "", false, err
	}
	var v string
	sc, release := ctxlite.Std(ctx)
	defer release()
	err := o.st.r.QueryRowContext(sc, `SELECT value FROM outbox_state WHERE project = ? AND key = ?`, o.project, key).Scan(&v)
	switch {
	case err == sql.ErrNoRows:
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("sqlite: outbox state: %w", err)
	}
	return v, true, nil
}

// UpdateState reads and writes key in one writer job, so it is atomic.
func (o *outboxStore) UpdateState(ctx ctxlite.Context, key string, fn func(old string, ok bool) (string, bool)) (string, error) {
	if err := o.check(); err != nil {
		return "", err
	}
	var result string
	err := o.st.wr.do(func(g *group) error {
		var old string
		err := g.tx.QueryRowContext(g.ctx, `SELECT value FROM outbox_state WHERE project = ? AND key = ?`, o.project, key).Scan(&old)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		v, write := fn(old, err == nil)
		result = old
		if !write {
			return nil
		}
		result = v
		_, err = g.tx.ExecContext(g.ctx, `INSERT INTO outbox_state (project, key, value) VALUES (?, ?, ?)
			ON CONFLICT (project, key) DO UPDATE SET value = excluded.value`, o.project, key, v)
		return err
	}, nil, false)
	if err != nil {
		return "", fmt.Errorf("sqlite: outbox state: %w", err)
	}
	return result, nil
}

// Close makes later calls fail with queue.ErrClosed; the database stays
// open for the server.
func (o *outboxStore) Close() error {
	o.closed.Store(true)
	return nil
}
