// Command collector runs the tracker's collector: a Tracking API v2 server
// that stores what it receives in SQLite, or relays it to Bloomreach. See
// package github.com/exponea-wasm/tracker/internal/collector.
//
// On start it prints exactly one line to stdout,
// "collector listening on http://HOST:PORT", then serves until SIGINT or
// SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cfg, err := parseFlags(args, os.Getenv)
	if err != nil {
		return err
	}
	cfg.Logger = log.New(os.Stderr, "", log.LstdFlags)
	srv, err := collector.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	fmt.Printf("collector listening on http://%s\n", srv.Addr())

	select {
	case err = <-served:
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the default way
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(err, srv.Shutdown(shutdownCtx))
}
