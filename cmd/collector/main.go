// Command collector runs the tracker's collector: a Tracking API v2 server
// that stores what it receives in SQLite. See package
// github.com/exponea-wasm/tracker/internal/collector.
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
	"net"
	"net/http"
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
	logger := log.New(os.Stderr, "", log.LstdFlags)
	cfg, addr, err := parseFlags(args)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	srv, err := collector.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("collector: listen: %w", err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Printf("collector listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("collector: serve: %w", err)
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the default way
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("collector: shutdown: %w", err)
	}
	return nil
}
