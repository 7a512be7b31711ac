package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector"
)

// TestBinaryListensAndStops builds the real binary, starts it on a free
// port, reads the listening line, asks for stats and stops it with SIGTERM.
func TestBinaryListensAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "collector")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "c.db"), "-keys", "k")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	lines := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("no listening line within 30s")
	}
	const prefix = "collector listening on http://127.0.0.1:"
	if !strings.HasPrefix(line, prefix) || len(line) == len(prefix) {
		t.Fatalf("got line %q, want %q followed by a port", line, prefix)
	}
	base := strings.TrimPrefix(line, "collector listening on ")

	resp, err := http.Get(base + "/api/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats map[string]any
	err = json.NewDecoder(resp.Body).Decode(&stats)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || stats["events"] != 0.0 {
		t.Fatalf("stats: %d %v %v", resp.StatusCode, stats, err)
	}
	resp, err = http.Post(base+"/track/v2/projects/p/batch", "text/plain", strings.NewReader(`{"commands":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("without the key: got %d, want 401", resp.StatusCode)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still running 15s after SIGTERM")
	}
	if extra, ok := <-lines; ok {
		t.Errorf("more than one line on stdout: %q", extra)
	}
}

func TestParseFlags(t *testing.T) {
	env := map[string]string{forwardKeyEnv: "id:from-env"}
	cfg, err := parseFlags([]string{
		"-addr", ":9", "-db", "x.db", "-projects", "a, b,", "-keys", "k1,k2", "-private", "id:s:ecret",
		"-origins", "*", "-max-body", "10", "-static", "/=web", "-static", "/dist/=dist", "-faults", "-rate", "2.5",
		"-hosts", "c.example", "-read-keys", "r1", "-read-timeout", "3s", "-max-conns", "7", "-forward", "https://u.example", "-read-origins", "https://dash.example", "-forward-allow-http", "-db-conns", "12", "-outbox-lease", "90s",
	}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Hosts[0] != "c.example" || cfg.ReadKeys[0] != "r1" || cfg.ReadTimeout != 3*time.Second || cfg.MaxConns != 7 ||
		cfg.Forward != "https://u.example" || cfg.ForwardKey != "id:from-env" || cfg.IdleTimeout != collector.DefaultIdleTimeout ||
		!reflect.DeepEqual(cfg.ReadOrigins, []string{"https://dash.example"}) || !cfg.ForwardAllowHTTP || cfg.DBConns != 12 ||
		cfg.OutboxLease != 90*time.Second {
		t.Errorf("got %+v", cfg)
	}
	if addr := cfg.Addr; addr != ":9" || cfg.DBPath != "x.db" || !reflect.DeepEqual(cfg.Projects, []string{"a", "b"}) ||
		!reflect.DeepEqual(cfg.Keys, []string{"k1", "k2"}) || cfg.Private["id"] != "s:ecret" ||
		!reflect.DeepEqual(cfg.Origins, []string{"*"}) || cfg.MaxBody != 10 || len(cfg.Static) != 2 ||
		cfg.Static[1].Prefix != "/dist/" || cfg.Static[1].Dir != "dist" || !cfg.Faults || cfg.Rate != 2.5 {
		t.Errorf("got %+v", cfg)
	}
	for _, bad := range [][]string{{"-private", "nosecret"}, {"-static", "nodir"}, {"-max-body", "0"}, {"extra"}, {"-nope"}} {
		if _, err := parseFlags(bad, func(string) string { return "" }); err == nil {
			t.Errorf("%v: got nil error", bad)
		}
	}
}
