package relay

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// TestRelayNeverFollowsRedirects: an upstream that answers 302, 307 or
// 308, pointing to another port of the same host or to another host, is
// answered like any other non-2xx: the relay keeps the commands and tries
// again later. Nothing reaches the place the redirect names (not the key,
// not the customers' data), and nothing is deleted without the
// upstream's 2xx for the POST itself, even when a 302's GET would have
// answered 2xx with a success for every command.
func TestRelayNeverFollowsRedirects(t *testing.T) {
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, host := range []string{"127.0.0.1", "127.0.0.2"} { // the upstream's host, another
			t.Run(http.StatusText(code)+" to "+host, func(t *testing.T) {
				target := newTarget(t, host+":0")
				var mu sync.Mutex
				asked := 0
				up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					asked++
					mu.Unlock()
					http.Redirect(w, r, target.srv.URL+r.URL.Path, code)
				}))
				defer up.Close()
				st := openStore(t, filepath.Join(t.TempDir(), "c.db"))
				recs := []store.Record{event("r1", "x"), event("r2", "x"), event("r3", "x")}
				if err := st.Commit(store.Write{Project: "p", Records: recs, ReceivedAt: 1764320000, Commands: 3, Status: 200, Relay: true}); err != nil {
					t.Fatal(err)
				}
				r := start(t, st, up.URL)
				n := 0
				for deadline := time.Now().Add(5 * time.Second); n < 3 && time.Now().Before(deadline); { // a try and two retries
					time.Sleep(5 * time.Millisecond)
					mu.Lock()
					n = asked
					mu.Unlock()
				}
				r.stop()
				if got := target.requests(); len(got) != 0 {
					t.Errorf("the redirect's target got %d requests, the first %s", len(got), got[0])
				}
				if s := stats(t, st); s.Outbox != 3 || s.Forwarded != 0 {
					t.Errorf("outbox %d, forwarded %d; want 3 kept, 0 forwarded", s.Outbox, s.Forwarded)
				}
				if n < 3 {
					t.Errorf("the upstream was asked %d times in 5 s, want a try and two retries", n)
				}
			})
		}
	}
}

// target records every request it gets, and answers each (a POST, or the
// GET a followed 302 makes) 200 with a success for each of 3 commands.
type target struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string
}

func newTarget(t *testing.T, addr string) *target {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	tg := &target{}
	tg.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		tg.mu.Lock()
		tg.got = append(tg.got, r.Method+" "+r.URL.Path+" Authorization="+r.Header.Get("Authorization")+" body="+
			strings.ReplaceAll(string(b[:min(len(b), 80)]), "\n", " "))
		tg.mu.Unlock()
		io.WriteString(w, `{"results":[{"success":true},{"success":true},{"success":true}],"success":true}`)
	}))
	tg.srv.Listener.Close()
	tg.srv.Listener = ln
	tg.srv.Start()
	t.Cleanup(tg.srv.Close)
	return tg
}

func (tg *target) requests() []string {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]string(nil), tg.got...)
}

// TestRelayRefusesPlainHTTP: an http:// upstream on another machine
// would carry the private key and the customers' data in clear text:
// refused unless asked for; loopback is allowed.
func TestRelayRefusesPlainHTTP(t *testing.T) {
	tests := []struct {
		forward   string
		allowHTTP bool
		ok        bool
	}{
		{"https://api.exponea.com", false, true},
		{"http://api.exponea.com", false, false},
		{"http://10.0.0.7:8080", false, false},
		{"http://api.exponea.com", true, true},
		{"http://127.0.0.1:9000", false, true},
		{"http://localhost:9000", false, true},
		{"http://[::1]:9000", false, true},
	}
	for _, tt := range tests {
		_, err := New(Config{Forward: tt.forward, AllowHTTP: tt.allowHTTP, Key: "kid:s", Projects: []string{"p"},
			Outboxes: openStore(t, filepath.Join(t.TempDir(), "c.db"))})
		if (err == nil) != tt.ok {
			t.Errorf("%s (allow http %v): got %v, want ok %v", tt.forward, tt.allowHTTP, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "-forward-allow-http") {
			t.Errorf("%s: error %q does not say how to allow it", tt.forward, err)
		}
	}
}
