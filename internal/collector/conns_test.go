package collector

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// dialFrom opens a connection to h from the loopback address ip
// (127.0.0.2 is another client than 127.0.0.1).
func (h *harness) dialFrom(ip string) net.Conn {
	h.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", h.srv.Addr().String())
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// idle makes c a keep-alive connection idle between requests: one request
// answered, read to the end.
func idle(t *testing.T, c net.Conn) {
	t.Helper()
	if err := tryIdle(c); err != nil {
		t.Fatalf("idle: %v", err)
	}
}

func tryIdle(c net.Conn) error {
	fmt.Fprint(c, "GET /api/stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.SetReadDeadline(time.Time{})
	return nil
}

// timedGet asks for /api/stats on c and returns how long the answer took.
func timedGet(t *testing.T, c net.Conn) time.Duration {
	t.Helper()
	start := time.Now()
	fmt.Fprint(c, "GET /api/stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("got %d", resp.StatusCode)
	}
	return time.Since(start)
}

// TestOneClientCannotBlockAnother: one client's slow and idle sockets —
// as many as the server has slots — do not delay another client's
// request by more than a second: a client holds a quarter of the slots
// at most, and an idle keep-alive connection gives its slot up first.
func TestOneClientCannotBlockAnother(t *testing.T) {
	h := newHarness(t, Config{MaxConns: 20})
	for i := range 20 {
		c := h.dialFrom("127.0.0.1")
		switch i % 3 {
		case 0: // a header that never ends
			fmt.Fprint(c, "POST /track/v2/projects/p/batch HTTP/1.1\r\nHost: localhost\r\n")
		case 1: // a body that never comes
			fmt.Fprint(c, "POST /track/v2/projects/p/batch HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{")
		case 2:
			fmt.Fprint(c, "GET /api/stats HTTP/1.1\r\nHost: localhost\r\n\r\n") // answered, then idle; not read
		}
	}
	if d := timedGet(t, h.dialFrom("127.0.0.2")); d > time.Second {
		t.Errorf("another client's request took %v behind one client's 20 sockets, want under 1 s", d)
	}
}

// TestIdleConnectionsGiveWayFirst: when every slot holds an idle
// keep-alive connection, a new client is served at once: the longest idle
// connection is closed to make room.
func TestIdleConnectionsGiveWayFirst(t *testing.T) {
	h := newHarness(t, Config{MaxConns: 4})
	for _, ip := range []string{"127.0.0.1", "127.0.0.3", "127.0.0.4", "127.0.0.5"} {
		idle(t, h.dialFrom(ip))
	}
	// With every slot held until the idle timeout (10 s), only closing an
	// idle connection can let it in.
	if d := timedGet(t, h.dialFrom("127.0.0.2")); d > time.Second {
		t.Errorf("a new client waited %v for a slot held by idle connections, want under 1 s", d)
	}
}

// TestClientOverItsShareIsRefused: a client at its cap whose connections
// are all busy has a new one closed at once; with one of them idle, that
// one is closed instead and the new one served.
func TestClientOverItsShareIsRefused(t *testing.T) {
	h := newHarness(t, Config{MaxConns: 100, MaxClientConns: 2})
	busy := []net.Conn{h.dialFrom("127.0.0.1"), h.dialFrom("127.0.0.1")}
	for _, c := range busy {
		fmt.Fprint(c, "POST /track/v2/projects/p/batch HTTP/1.1\r\nHost: localhost\r\n") // a header that never ends
	}
	third := h.dialFrom("127.0.0.1")
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := third.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("a third connection of a client capped at 2: read %v, want it closed at once", err)
	}
	// Once the server has seen a busy one close (a client would retry
	// until then), a connection that then goes idle is given up for the
	// next new one.
	busy[1].Close()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if err := tryIdle(h.dialFrom("127.0.0.1")); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("no slot 5 s after a connection closed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The server marks a connection idle just after the client has its
	// answer: a new connection made in between is refused, and the
	// client's retry is served. Without the idle one given up, none would
	// be before the idle timeout (10 s).
	start := time.Now()
	for tryIdle(h.dialFrom("127.0.0.1")) != nil {
		if time.Since(start) > time.Second {
			t.Fatal("with an idle connection to give up, no new one was served within 1 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
