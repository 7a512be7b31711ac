package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// Outbox returns project's part of the shared outbox as a queue.Store,
// the queue the relay's flusher sends from. Its reads claim what they
// return for this instance (see Oldest).
func (st *Store) Outbox(project string) queue.Store {
	return &outbox{st: st, project: project}
}

// outbox is one project's part of the outbox table, seen by one instance.
type outbox struct {
	st      *Store
	project string
	closed  atomic.Bool
}

var _ queue.Store = (*outbox)(nil)

// begin checks that o is open and returns ctx as a standard context.
func (o *outbox) begin(ctx ctxlite.Context) (context.Context, func(), error) {
	if o.closed.Load() {
		return nil, nil, fmt.Errorf("postgres: outbox %s: %w", o.project, queue.ErrClosed)
	}
	sc, release := ctxlite.Std(ctx)
	return sc, release, nil
}

// Append stores recs; the relay itself fills the outbox with the
// requests' own Commits, this is the queue.Store way in.
func (o *outbox) Append(ctx ctxlite.Context, recs []queue.Record) ([]queue.Record, error) {
	stored, _, err := o.AppendOnce(ctx, []queue.Batch{{Recs: recs}})
	return stored, err
}

// AppendOnce stores the batches whose marks are not recorded yet, and
// their marks, in one transaction.
func (o *outbox) AppendOnce(ctx ctxlite.Context, batches []queue.Batch) ([]queue.Record, []bool, error) {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	var stored []queue.Record
	skipped := make([]bool, len(batches))
	err = pgx.BeginFunc(sc, o.st.db, func(tx pgx.Tx) error {
		stored = stored[:0]
		for b, batch := range batches {
			skipped[b] = false
			if batch.Mark != "" {
				tag, err := tx.Exec(sc, `INSERT INTO outbox_state (project, key, value) VALUES ($1, $2, '1') ON CONFLICT DO NOTHING`,
					o.project, queue.MarkKey(batch.Mark))
				if err != nil {
					return err
				}
				if skipped[b] = tag.RowsAffected() == 0; skipped[b] {
					continue
				}
			}
			for _, r := range batch.Recs {
				if err := tx.QueryRow(sc, `INSERT INTO outbox (project, command_id, kind, created_ms, body, rejections, not_before_ms)
					VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
					o.project, r.ID, string(r.Kind), r.CreatedMs, r.Body, r.Rejections, r.NotBeforeMs).Scan(&r.Seq); err != nil {
					return err
				}
				stored = append(stored, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: outbox append: %w", err)
	}
	return stored, skipped, nil
}

// DropMarks deletes the marks that sort before the mark before.
func (o *outbox) DropMarks(ctx ctxlite.Context, before string) error {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	if _, err := o.st.db.Exec(sc, `DELETE FROM outbox_state WHERE project = $1 AND key >= $2 AND key < $3`,
		o.project, queue.MarkKey(""), queue.MarkKey(before)); err != nil {
		return fmt.Errorf("postgres: outbox marks: %w", err)
	}
	return nil
}

// Oldest returns up to n of the project's oldest records after Seq after
// that this instance may send, and claims them for the lease: those that
// no one claimed, or whose claim ran out (its relay died), or that are
// this instance's already (the claim is renewed). Rows another relay
// holds, or is claiming at this moment, are skipped.
func (o *outbox) Oldest(ctx ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	rows, err := o.st.db.Query(sc, `
		WITH claim AS (
			SELECT seq FROM outbox
			WHERE project = $1 AND seq > $2 AND (claimed_by IS NULL OR claimed_by = $3 OR claimed_until < now())
			ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED
		)
		UPDATE outbox SET claimed_by = $3, claimed_until = now() + $5 * interval '1 millisecond'
		FROM claim WHERE outbox.seq = claim.seq
		RETURNING outbox.seq, command_id, kind, created_ms, body, rejections, not_before_ms`,
		o.project, after, o.st.instance, n, o.st.lease.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("postgres: outbox read: %w", err)
	}
	var out []queue.Record
	var r queue.Record
	var kind string
	_, err = pgx.ForEachRow(rows, []any{&r.Seq, &r.ID, &kind, &r.CreatedMs, &r.Body, &r.Rejections, &r.NotBeforeMs}, func() error {
		r.Kind = queue.Kind(kind)
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: outbox read: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// Update records the rejections and wait of records still stored.
func (o *outbox) Update(ctx ctxlite.Context, recs []queue.Record) error {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	seqs, rejections, notBefore := make([]int64, len(recs)), make([]int32, len(recs)), make([]int64, len(recs))
	for i, r := range recs {
		seqs[i], rejections[i], notBefore[i] = r.Seq, int32(r.Rejections), r.NotBeforeMs
	}
	if _, err := o.st.db.Exec(sc, `UPDATE outbox SET rejections = u.rejections, not_before_ms = u.not_before
		FROM unnest($2::bigint[], $3::int[], $4::bigint[]) AS u(seq, rejections, not_before)
		WHERE outbox.project = $1 AND outbox.seq = u.seq`, o.project, seqs, rejections, notBefore); err != nil {
		return fmt.Errorf("postgres: outbox update: %w", err)
	}
	return nil
}

// Delete removes the records with these seqs: the flusher calls it for
// commands the upstream confirmed, and for those it gave up.
func (o *outbox) Delete(ctx ctxlite.Context, seqs []int64) error {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	if _, err := o.st.db.Exec(sc, `DELETE FROM outbox WHERE project = $1 AND seq = ANY($2)`, o.project, seqs); err != nil {
		return fmt.Errorf("postgres: outbox delete: %w", err)
	}
	return nil
}

// Count returns the number of the project's records, every instance's,
// and the sum of their sizes.
func (o *outbox) Count(ctx ctxlite.Context) (int, int64, error) {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer release()
	var n int
	var bytes int64
	if err := o.st.db.QueryRow(sc, `SELECT COUNT(*), COALESCE(SUM(octet_length(body)), 0) FROM outbox WHERE project = $1`,
		o.project).Scan(&n, &bytes); err != nil {
		return 0, 0, fmt.Errorf("postgres: outbox count: %w", err)
	}
	return n, bytes, nil
}

// Len returns the number of the project's records, every instance's.
func (o *outbox) Len(ctx ctxlite.Context) (int, error) {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	var n int
	if err := o.st.db.QueryRow(sc, `SELECT COUNT(*) FROM outbox WHERE project = $1`, o.project).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: outbox length: %w", err)
	}
	return n, nil
}

// GetState returns the project's state value for key.
func (o *outbox) GetState(ctx ctxlite.Context, key string) (string, bool, error) {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return "", false, err
	}
	defer release()
	var v string
	err = o.st.db.QueryRow(sc, `SELECT value FROM outbox_state WHERE project = $1 AND key = $2`, o.project, key).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("postgres: outbox state: %w", err)
	}
	return v, true, nil
}

// UpdateState reads and writes key in one transaction, the row locked
// (or, when absent, the insert racing another's settled by the key).
func (o *outbox) UpdateState(ctx ctxlite.Context, key string, fn func(old string, ok bool) (string, bool)) (string, error) {
	sc, release, err := o.begin(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	var result string
	err = pgx.BeginFunc(sc, o.st.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(sc, `SELECT pg_advisory_xact_lock(hashtext($1 || ' ' || $2))`, o.project, key); err != nil {
			return err
		}
		var old string
		err := tx.QueryRow(sc, `SELECT value FROM outbox_state WHERE project = $1 AND key = $2`, o.project, key).Scan(&old)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		v, write := fn(old, err == nil)
		result = old
		if !write {
			return nil
		}
		result = v
		_, err = tx.Exec(sc, `INSERT INTO outbox_state (project, key, value) VALUES ($1, $2, $3)
			ON CONFLICT (project, key) DO UPDATE SET value = excluded.value`, o.project, key, v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("postgres: outbox state: %w", err)
	}
	return result, nil
}

// Close makes later calls fail with queue.ErrClosed; the pool stays open
// for the server.
func (o *outbox) Close() error {
	o.closed.Store(true)
	return nil
}
