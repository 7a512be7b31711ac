// Package pgtemp runs a throwaway PostgreSQL server for tests and
// benchmarks: a cluster made with initdb in a temporary folder, serving on
// a Unix socket in that folder only, stopped and deleted by Stop. It uses
// the binaries of Debian's postgresql package (/usr/lib/postgresql/N/bin).
// PostgreSQL refuses to run as root: as root, the cluster is made and run
// as the postgres user the package creates.
package pgtemp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/jackc/pgx/v5"
)

// Server is a running throwaway PostgreSQL.
type Server struct {
	// URL is the connection string of its postgres database, for pgx.
	URL string
	dir string
	bin string
	as  *user.User // the user it runs as, when started as root
}

// ErrNoPostgres is returned when no PostgreSQL binaries are installed.
var ErrNoPostgres = errors.New("pgtemp: no PostgreSQL found in /usr/lib/postgresql/*/bin: apt-get install -y postgresql")

// Bin returns the folder of the newest installed PostgreSQL's binaries.
func Bin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start makes a cluster in a new temporary folder and starts it, with
// fsync on (the durability the collector promises is PostgreSQL's) and
// the settings passed as extra "-c name=value" options.
func Start(settings ...string) (*Server, error) {
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtemp-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		if s.as, err = user.Lookup("postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtemp: running as root needs the postgres user of the postgresql package: %w", err)
		}
		uid, _ := strconv.Atoi(s.as.Uid)
		gid, _ := strconv.Atoi(s.as.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtemp: initdb: %w\n%s", err, out)
	}
	opts := []string{"-k", dir, "-c", "listen_addresses=", "-c", "max_connections=200"}
	for _, kv := range settings {
		opts = append(opts, "-c", kv)
	}
	if out, err := s.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", shellJoin(opts), "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtemp: pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	s.URL = "postgres:///postgres?host=" + dir + "&user=postgres&sslmode=disable"
	return s, nil
}

// Stop stops the server at once and deletes its folder.
func (s *Server) Stop() error {
	out, err := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	if err != nil {
		err = fmt.Errorf("pgtemp: pg_ctl stop: %w\n%s", err, out)
	}
	return errors.Join(err, os.RemoveAll(s.dir))
}

// run runs one of the binaries, as the postgres user when root.
func (s *Server) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	if s.as != nil {
		uid, _ := strconv.Atoi(s.as.Uid)
		gid, _ := strconv.Atoi(s.as.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Env = append(os.Environ(), "HOME="+s.dir)
	}
	return cmd.CombinedOutput()
}

// shellJoin quotes args for pg_ctl's -o, which a shell splits.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// EnvURL names the environment variable that gives tests a PostgreSQL
// server to use (make test sets it); see ForTests.
const EnvURL = "COLLECTOR_TEST_POSTGRES"

// ForTests returns the URL of the server named by $COLLECTOR_TEST_POSTGRES,
// or else starts a throwaway one, and a function that stops what it
// started.
func ForTests() (url string, stop func() error, err error) {
	if url := os.Getenv(EnvURL); url != "" {
		return url, func() error { return nil }, nil
	}
	s, err := Start()
	if err != nil {
		return "", nil, fmt.Errorf("%w (or set %s)", err, EnvURL)
	}
	return s.URL, s.Stop, nil
}

var databases atomic.Int64

// CreateDatabase creates a new, empty database on the server at url and
// returns the URL of it.
func CreateDatabase(ctx context.Context, url string) (string, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", fmt.Errorf("pgtemp: %w", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), databases.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtemp: %w", err)
	}
	cfg := conn.Config()
	if i := strings.Index(url, "/"+cfg.Database+"?"); i >= 0 {
		return url[:i] + "/" + name + url[i+1+len(cfg.Database):], nil
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "dbname=" + name, nil
}
