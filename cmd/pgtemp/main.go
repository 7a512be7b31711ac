// Command pgtemp runs a command beside a throwaway PostgreSQL: it starts
// one (package internal/collector/postgres/pgtemp), runs the command with
// COLLECTOR_TEST_POSTGRES set to its URL, stops it, and exits with the
// command's status. `make test-go` runs the Go tests under it.
//
//	pgtemp go test -race ./...
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/postgres/pgtemp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pgtemp COMMAND [ARG...]")
		os.Exit(2)
	}
	start := time.Now()
	srv, err := pgtemp.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "pgtemp: PostgreSQL started in %.1f s\n", time.Since(start).Seconds())
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), pgtemp.EnvURL+"="+srv.URL)
	signal.Ignore(syscall.SIGINT) // the command gets it too, and ends; then the server is stopped
	err = cmd.Run()
	if serr := srv.Stop(); serr != nil {
		fmt.Fprintln(os.Stderr, serr)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
