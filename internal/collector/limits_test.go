package collector

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBodyLimit(t *testing.T) {
	h := newHarness(t, Config{MaxBody: 1000})
	big := batchBody(strings.Repeat(ev("", "c", "x")+",", 10) + ev("", "c", "x"))
	if len(big) <= 1000 {
		t.Fatalf("test body only %d bytes", len(big))
	}
	tests := []struct {
		name    string
		body    io.Reader
		length  int64
		chunked bool
		status  int
	}{
		{"declared oversize", strings.NewReader(big), int64(len(big)), false, 413},
		{"chunked oversize", io.MultiReader(strings.NewReader(big)), -1, true, 413},
		{"chunked within limit", io.MultiReader(strings.NewReader(batchBody(ev("", "c", "x")))), -1, true, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.url+"/track/v2/projects/p/batch", tt.body)
			req.ContentLength = tt.length
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, b, tt.status)
			}
			if tt.chunked != (len(resp.Request.TransferEncoding) > 0 || req.ContentLength == -1) {
				t.Errorf("request was not sent the intended way")
			}
			if tt.status == 413 && !strings.Contains(string(b), `"success":false`) {
				t.Errorf("body: got %s", b)
			}
		})
	}
	if n := len(h.events("")); n != 1 {
		t.Errorf("stored events: got %d, want 1", n)
	}
}

func TestRateLimit(t *testing.T) {
	var now atomic.Int64
	now.Store(1000)
	h := newHarness(t, Config{Rate: 2, Now: func() time.Time { return time.Unix(now.Load(), 0) }})
	statuses := []int{}
	for range 3 {
		statuses = append(statuses, h.batch("p", ev("", "c", "x")).status)
	}
	r := h.batch("p", ev("", "c", "x"))
	if got := append(statuses, r.status); got[0] != 200 || got[1] != 200 || got[2] != 429 || got[3] != 429 {
		t.Fatalf("statuses: got %v, want [200 200 429 429]", got)
	}
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After: got %q, want 1", r.header.Get("Retry-After"))
	}
	now.Add(1) // a second later the bucket has two tokens again
	wantStatus(t, h.batch("p", ev("", "c", "x")), 200)
	if n := len(h.events("")); n != 3 {
		t.Errorf("stored events: got %d, want 3", n)
	}
}

// TestDeclaredOversizeNotRead sends only the headers of a huge request: the
// 413 must come back without the server waiting for the body.
func TestDeclaredOversizeNotRead(t *testing.T) {
	h := newHarness(t, Config{MaxBody: 1000})
	conn, err := net.Dial("tcp", h.srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "POST /track/v2/projects/p/batch HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000000\r\n\r\n{\"commands\":[")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response before the body was sent: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("got %d, want 413", resp.StatusCode)
	}
}
