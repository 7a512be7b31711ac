package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Project and Key are what the load generator sends; the collector is
// started with them.
const (
	Project = "bench"
	Key     = "bench-key"
)

// proc is a running collector process.
type proc struct {
	cmd    *exec.Cmd
	url    string
	stderr *tail
	done   chan struct{} // closed when the process has exited
}

// start runs bin on a free loopback port with the database at db and waits
// for its "collector listening on URL" line.
func start(ctx context.Context, bin, db string, extra ...string) (*proc, error) {
	args := append([]string{"-addr", "127.0.0.1:0", "-db", db, "-keys", Key, "-projects", Project}, extra...)
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, stderr: &tail{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", bin, err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if u, ok := strings.CutPrefix(s.Text(), "collector listening on "); ok {
				line <- u
			}
		}
		io.Copy(io.Discard, out)
	}()
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case p.url = <-line:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("bench: collector exited: %s", p.stderr)
	case <-t.C:
	case <-ctx.Done():
	}
	p.kill()
	return nil, errors.New("bench: collector did not start within 30s")
}

// kill ends the process with SIGKILL and waits for it to be gone.
func (p *proc) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// stop ends the process with SIGTERM (a clean shutdown), or SIGKILL after
// 15 s, and returns the CPU time it used.
func (p *proc) stop() time.Duration {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}

// tail keeps the last 4 KB written to it, for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
