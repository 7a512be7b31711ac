package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exponea-wasm/tracker/internal/collector/postgres/pgtemp"
)

// ErrPostgres is returned when a check on PostgreSQL found a lost, partly
// stored or twice stored batch, or a duplicate the relay does not
// document.
var ErrPostgres = errors.New("bench: a PostgreSQL check failed")

// runPostgres measures 1 and 3 collectors on one throwaway PostgreSQL at
// each concurrency level, then kills one of three under load, then kills
// one of two relays on one outbox mid-send.
func runPostgres(ctx context.Context, cfg Config, w io.Writer) error {
	srv, err := pgtemp.Start()
	if err != nil {
		return err
	}
	defer srv.Stop()
	for _, n := range []int{1, 3} {
		fmt.Fprintf(w, "postgresql: %d collector process(es) on one database, each client sending to one of them\n", n)
		var levels []Level
		for _, c := range cfg.Levels {
			procs, err := startN(ctx, cfg.Bin, srv.URL, n, cfg.Args)
			if err != nil {
				return err
			}
			l := load(ctx, urls(procs), c, cfg.Duration, nil)
			for _, p := range procs {
				l.CPU += p.stop()
			}
			levels = append(levels, l)
		}
		PrintLevels(w, levels)
	}
	ok := true
	if cfg.Kills > 0 {
		d, err := postgresKill(ctx, cfg.Bin, srv.URL, cfg.KillConcurrency, cfg.Args)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, d)
		ok = d.OK()
		r, err := relayTakeover(ctx, cfg.Bin, srv.URL)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, r)
		ok = ok && r.OK()
	}
	if !ok {
		return ErrPostgres
	}
	return nil
}

// freshDatabase empties the bench's database: every run starts on an
// empty schema.
func freshDatabase(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
	return err
}

// startN empties the database and starts n collectors on it.
func startN(ctx context.Context, bin, url string, n int, extra []string) ([]*proc, error) {
	if err := freshDatabase(ctx, url); err != nil {
		return nil, err
	}
	var procs []*proc
	for range n {
		p, err := start(ctx, bin, url, extra...)
		if err != nil {
			for _, q := range procs {
				q.kill()
			}
			return nil, err
		}
		procs = append(procs, p)
	}
	return procs, nil
}

func urls(procs []*proc) []string {
	var out []string
	for _, p := range procs {
		out = append(out, p.url)
	}
	return out
}

// Spread is the outcome of the kill -9 check on PostgreSQL.
type Spread struct {
	Sent, Acked int // batches made; batches answered 200 (at once or after resends)
	Resent      int // requests resent to another collector after a failure
	Lost        int // acknowledged batches not wholly stored
	Partial     int // batches of which some but not all events are stored
	Twice       int // events stored more than once
}

// OK reports whether nothing acknowledged was lost and nothing was stored
// in part or twice.
func (d Spread) OK() bool { return d.Lost == 0 && d.Partial == 0 && d.Twice == 0 }

func (d Spread) String() string {
	return fmt.Sprintf("postgresql kill -9: 1 of 3 collectors killed under load, clients resending to another: %d batches, "+
		"%d answered 200, %d requests resent; %d lost after ack, %d partly stored, %d events stored twice",
		d.Sent, d.Acked, d.Resent, d.Lost, d.Partial, d.Twice)
}

// postgresKill runs concurrency clients over 3 collectors on one
// database; each client resends a batch that failed to the next
// collector, as the SDK resends after a lost answer (through a load
// balancer, another instance). One collector is killed with SIGKILL
// under load. Every batch answered 200 must be stored whole, and no event
// twice.
func postgresKill(ctx context.Context, bin, url string, concurrency int, extra []string) (Spread, error) {
	procs, err := startN(ctx, bin, url, 3, extra)
	if err != nil {
		return Spread{}, err
	}
	defer func() {
		for _, p := range procs[1:] {
			p.stop()
		}
	}()
	bases := urls(procs)
	lctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	hc := newHTTPClient(concurrency)
	var mu sync.Mutex
	var batches []batch
	d := Spread{}
	var wg sync.WaitGroup
	for i := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(uint64(1000 + i))
			for lctx.Err() == nil {
				ids, body := c.batch()
				b := batch{ids: ids}
				for k := i; lctx.Err() == nil; k++ {
					if post(lctx, hc, batchURL(bases[k%len(bases)]), body) == nil {
						b.acked = true
						break
					}
					mu.Lock()
					d.Resent++
					mu.Unlock()
					select {
					case <-lctx.Done():
					case <-time.After(20 * time.Millisecond):
					}
				}
				mu.Lock()
				batches = append(batches, b)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	procs[0].kill()
	wg.Wait()
	counts, err := storedCounts(ctx, url)
	if err != nil {
		return d, err
	}
	d.Sent, d.Acked, d.Lost, d.Partial = check(batches, func(id string) bool { return counts[id] > 0 })
	for _, c := range counts {
		if c > 1 {
			d.Twice++
		}
	}
	return d, nil
}

// storedCounts returns how often each command id of the bench's project
// is stored as an event.
func storedCounts(ctx context.Context, url string) (map[string]int, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT command_id, COUNT(*) FROM events WHERE project = $1 AND command_id IS NOT NULL GROUP BY command_id`, Project)
	if err != nil {
		return nil, fmt.Errorf("bench: read events: %w", err)
	}
	counts := map[string]int{}
	var id string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		counts[id] = n
		return nil
	})
	return counts, err
}

// outboxLen counts the rows left in the outbox.
func outboxLen(ctx context.Context, url string) (int, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, err
}
