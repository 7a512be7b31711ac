package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"
)

// Config says what to measure.
type Config struct {
	// Bin is the collector binary.
	Bin string
	// Dir holds the databases; each level gets a fresh one.
	Dir string
	// Duration is how long each concurrency level runs.
	Duration time.Duration
	// Levels are the concurrency levels.
	Levels []int
	// Kills is how often the kill -9 check kills the collector (0: skip).
	Kills int
	// KillConcurrency is the load during the kill -9 check.
	KillConcurrency int
	// Args are extra collector flags.
	Args []string
	// Postgres also measures collectors on a throwaway PostgreSQL, and
	// runs its kill and relay takeover checks.
	Postgres bool
}

// ErrDurability is returned when the kill -9 check found a lost or partly
// stored batch, or a damaged file.
var ErrDurability = errors.New("bench: durability check failed")

// Run measures each level on a fresh collector and database, then runs the
// kill -9 check, writing the figures to w as they come.
func Run(ctx context.Context, cfg Config, w io.Writer) error {
	fmt.Fprintf(w, "%s: %d events per batch, %v per level, loopback\n", cfg.Bin, EventsPerBatch, cfg.Duration)
	fmt.Fprintln(w, "sqlite: one collector process")
	var levels []Level
	for _, c := range cfg.Levels {
		p, err := start(ctx, cfg.Bin, filepath.Join(cfg.Dir, "level-"+strconv.Itoa(c)+".db"), cfg.Args...)
		if err != nil {
			return err
		}
		l := load(ctx, []string{p.url}, c, cfg.Duration, nil)
		l.CPU = p.stop()
		levels = append(levels, l)
	}
	PrintLevels(w, levels)
	if cfg.Kills > 0 {
		d, err := killCheck(ctx, cfg.Bin, filepath.Join(cfg.Dir, "kill.db"), cfg.Kills, cfg.KillConcurrency, cfg.Args)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, d)
		if !d.OK() {
			return ErrDurability
		}
	}
	if cfg.Postgres {
		return runPostgres(ctx, cfg, w)
	}
	return nil
}
