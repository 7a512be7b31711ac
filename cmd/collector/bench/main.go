// Command bench measures the collector binary under load over loopback and
// checks that nothing it acknowledged is lost when it is killed (see
// package internal/collector/bench). `make bench-collector` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/bench"
)

func main() {
	cfg := bench.Config{}
	levels := flag.String("levels", "1,4,16", "comma-separated concurrency levels")
	flag.StringVar(&cfg.Bin, "collector", "build/collector", "the collector binary")
	flag.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each level runs")
	flag.IntVar(&cfg.Kills, "kills", 4, "kill -9 rounds of the durability check (0: skip)")
	flag.IntVar(&cfg.KillConcurrency, "kill-concurrency", 8, "clients during the durability check")
	flag.BoolVar(&cfg.Postgres, "postgres", true, "also measure 1 and 3 collectors on a throwaway PostgreSQL, and its kill and relay takeover checks")
	flag.Parse()
	cfg.Args = flag.Args()
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: bad level %q\n", s)
			os.Exit(2)
		}
		cfg.Levels = append(cfg.Levels, n)
	}
	dir, err := os.MkdirTemp("", "collector-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg.Dir = dir
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err = bench.Run(ctx, cfg, os.Stdout)
	stop()
	os.RemoveAll(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
