package collector

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dial opens a raw connection to h.
func (h *harness) dial() net.Conn {
	h.t.Helper()
	c, err := net.Dial("tcp", h.srv.Addr().String())
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reports whether the server closes c (or answers and then
// closes it) within d: reading reaches EOF or a reset.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

const slowHead = "POST /track/v2/projects/p/batch HTTP/1.1\r\nHost: localhost\r\n"

func TestReadHeaderTimeout(t *testing.T) {
	h := newHarness(t, Config{ReadHeaderTimeout: 200 * time.Millisecond})
	c := h.dial()
	fmt.Fprint(c, slowHead) // and never the end of the header
	if !closedWithin(c, 3*time.Second) {
		t.Fatal("a header that never ends still held the connection after 3 s")
	}
}

func TestReadTimeout(t *testing.T) {
	h := newHarness(t, Config{ReadTimeout: 300 * time.Millisecond})
	c := h.dial()
	body := batchBody(ev("", "c", "x"))
	fmt.Fprintf(c, slowHead+"Content-Length: %d\r\n\r\n", len(body))
	start := time.Now()
	// A byte every 100 ms: the body would take a minute.
	done := make(chan bool, 1)
	go func() { done <- closedWithin(c, 5*time.Second) }()
	for i := 0; i < 50; i++ {
		if _, err := c.Write([]byte{body[i]}); err != nil {
			break
		}
		select {
		case ok := <-done:
			if !ok {
				t.Fatal("still open")
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("closed after %v, want about the 300 ms read timeout", d)
			}
			if n := len(h.events("")); n != 0 {
				t.Errorf("stored %d events from a cut body", n)
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatal("a body sent at 10 bytes/s was still being read after 5 s")
}

func TestIdleTimeout(t *testing.T) {
	h := newHarness(t, Config{IdleTimeout: 200 * time.Millisecond})
	c := h.dial()
	fmt.Fprint(c, "GET /api/stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := br.ReadByte(); err == nil || errors.Is(err, syscall.ETIMEDOUT) || isTimeout(err) {
		t.Fatalf("idle keep-alive connection: got %v, want it closed by the server", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("closed after %v idle, want about 200 ms", d)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestWriteTimeout: a client that does not read a large answer holds its
// connection only until the write timeout.
func TestWriteTimeout(t *testing.T) {
	h := newHarness(t, Config{WriteTimeout: 500 * time.Millisecond, MaxReadBytes: 32 << 20})
	h.fillBig(60) // a 9 MB answer, more than the socket buffers hold
	c := h.stalledRead("/api/events?limit=10000")
	time.Sleep(1500 * time.Millisecond) // not reading, past the write timeout
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if err == nil && n > 9_000_000 {
		t.Fatalf("read the whole %d byte answer after the write timeout", n)
	}
	if isTimeout(err) {
		t.Fatalf("connection still open 10 s after the write timeout (read %d bytes)", n)
	}
}

// fillBig stores batches of 10 events of 15 KB each.
func (h *harness) fillBig(batches int) {
	h.t.Helper()
	big := `"` + strings.Repeat("x", 15000) + `"`
	for i := range batches {
		var cmds []string
		for j := range 10 {
			cmds = append(cmds, fmt.Sprintf(`{"name":"customers/events","command_id":"w%d-%d","data":{"customer_ids":{"cookie":"c"},"event_type":"big","properties":{"v":%s}}}`, i, j, big))
		}
		wantStatus(h.t, h.batch("p", cmds...), 200)
	}
}

// stalledRead asks for path on a connection with a tiny receive buffer
// and does not read the answer.
func (h *harness) stalledRead(path string) net.Conn {
	h.t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	c, err := d.Dial("tcp", h.srv.Addr().String())
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path)
	return c
}

// TestStalledReadersHoldBoundedMemory: the answers held for readers that
// do not read them are bounded as a whole (MaxReadMemory): past the
// bound a list is answered 503 at once, and once the stalled readers are
// gone, lists are answered again.
func TestStalledReadersHoldBoundedMemory(t *testing.T) {
	// Answers of 8 MB: more than the kernel's send and receive buffers
	// take (its autotuned send buffer reaches 4 MB), so that writing one
	// to a reader that does not read blocks.
	h := newHarness(t, Config{MaxReadBytes: 8 << 20, MaxReadMemory: 18 << 20})
	h.fillBig(60) // 9 MB of events: every answer is cut at 8 MB
	var stalled []net.Conn
	for range 2 {
		c := h.stalledRead("/api/events?limit=10000")
		// Its status line arrives: its answer is built, and being written.
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		status := make([]byte, 12)
		if _, err := io.ReadFull(c, status); err != nil || string(status) != "HTTP/1.1 200" {
			t.Fatalf("a stalled reader got %q, %v", status, err)
		}
		stalled = append(stalled, c)
	}
	start := time.Now()
	r := h.must("GET", "/api/events?limit=1", "", nil)
	if r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("with 2 stalled answers of 9 MB held against an 18 MB bound: got %d, Retry-After %q; want 503, 1",
			r.status, r.header.Get("Retry-After"))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("503 after %v, want it at once", d)
	}
	for _, c := range stalled {
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.must("GET", "/api/events?limit=1", "", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("lists still refused 5 s after the stalled readers left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMaxHeaderBytes: a header over the limit (net/http allows 4 KB of
// slack) is refused with 431; the server then closes the connection with
// the rest of the header unread, which may reset it before the client reads
// the 431, so either counts as refused.
func TestMaxHeaderBytes(t *testing.T) {
	h := newHarness(t, Config{MaxHeaderBytes: 4 << 10})
	r, err := h.send("GET", "/api/stats", "", map[string]string{"Cookie": strings.Repeat("a", 16<<10)})
	if err == nil && r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("16 KB header: got %d, want 431", r.status)
	}
	wantStatus(t, h.must("GET", "/api/stats", "", map[string]string{"Cookie": strings.Repeat("a", 2<<10)}), 200)
}

// TestMaxConns: connections beyond the cap, with none idle to close,
// wait to be accepted, and are served as soon as one closes.
func TestMaxConns(t *testing.T) {
	h := newHarness(t, Config{MaxConns: 2})
	held := []net.Conn{h.dialFrom("127.0.0.1"), h.dialFrom("127.0.0.3")}
	time.Sleep(100 * time.Millisecond) // both accepted
	third := h.dialFrom("127.0.0.2")
	fmt.Fprint(third, "GET /api/stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := third.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("third connection answered (%v) while two were held", err)
	}
	held[0].Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(third), nil)
	if err != nil {
		t.Fatalf("third connection after one closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("got %d", resp.StatusCode)
	}
}

// TestTricklingBodyCutAtBodyTimeout: with the defaults, a body that
// trickles a byte every 200 ms (slowloris) loses its connection after
// about the body timeout (5 s), not the whole-request timeout.
func TestTricklingBodyCutAtBodyTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	c := h.dial()
	fmt.Fprintf(c, slowHead+"Content-Length: 1000\r\n\r\n")
	start := time.Now()
	done := make(chan bool, 1)
	go func() { done <- closedWithin(c, 30*time.Second) }()
	for {
		select {
		case closed := <-done:
			if !closed {
				t.Fatal("still open after 30 s")
			}
			if d := time.Since(start); d < DefaultBodyTimeout-time.Second || d > DefaultBodyTimeout+2*time.Second {
				t.Errorf("cut after %v, want about the body timeout, %v", d, DefaultBodyTimeout)
			}
			return
		case <-time.After(200 * time.Millisecond):
			c.Write([]byte{'x'})
		}
	}
}

// TestSlow3GBodyGetsThrough: with the defaults, a 160 KB batch sent at
// 32 KB/s (a 3G uplink, about 256 kbit/s) takes 5 s, longer than the
// body timeout alone, and is stored: each 4 KB that arrives earns it a
// second more.
func TestSlow3GBodyGetsThrough(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	pad := strings.Repeat("p", 4000) // 40 commands: within the 50 of a batch
	var cmds []string
	for i := 0; len(strings.Join(cmds, ",")) < 160_000; i++ {
		cmds = append(cmds, fmt.Sprintf(`{"name":"customers/events","command_id":"g%d","data":{"customer_ids":{"cookie":"c"},"event_type":"x","properties":{"pad":%q}}}`, i, pad))
	}
	body := batchBody(cmds...)
	c := h.dial()
	fmt.Fprintf(c, slowHead+"Content-Length: %d\r\n\r\n", len(body))
	start := time.Now()
	for off := 0; off < len(body); off += 4096 {
		if _, err := c.Write([]byte(body[off:min(off+4096, len(body))])); err != nil {
			t.Fatalf("after %v: %v", time.Since(start), err)
		}
		time.Sleep(125 * time.Millisecond) // 4 KB per 125 ms: 32 KB/s
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("got %d %.100s after %v", resp.StatusCode, b, time.Since(start))
	}
	if d := time.Since(start); d < DefaultBodyTimeout {
		t.Errorf("the body took %v, under the body timeout: it proves nothing", d)
	}
	if n := len(h.events("limit=10000")); n != len(cmds) {
		t.Errorf("stored %d events, want %d", n, len(cmds))
	}
}
