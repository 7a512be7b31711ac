package collector

import (
	"bytes"
	"encoding/base64"
	"log"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/access"
	"github.com/exponea-wasm/tracker/internal/collector/faults"
	"github.com/exponea-wasm/tracker/internal/collector/store"
)

func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func TestReadsNeedAKey(t *testing.T) {
	open := newHarness(t, Config{Keys: []string{"pub"}, Private: map[string]string{"kid": "s3cret"}})
	keyed := newHarness(t, Config{Keys: []string{"pub"}, Private: map[string]string{"kid": "s3cret"}, ReadKeys: []string{"rk1", "rk2"}})
	tests := []struct {
		name   string
		h      *harness
		header map[string]string
		status int
	}{
		{"loopback without read keys: open", open, nil, 200},
		{"loopback, but through a proxy: credentials are needed", open, map[string]string{"X-Forwarded-For": "203.0.113.9"}, 401},
		{"through a proxy with the private pair", open, map[string]string{"X-Forwarded-For": "203.0.113.9", "Authorization": basicAuth("kid", "s3cret")}, 200},
		{"read keys set: none sent", keyed, nil, 401},
		{"read key as Bearer", keyed, map[string]string{"Authorization": "Bearer rk2"}, 200},
		{"read key as the Basic password", keyed, map[string]string{"Authorization": basicAuth("anyone", "rk1")}, 200},
		{"private pair", keyed, map[string]string{"Authorization": basicAuth("kid", "s3cret")}, 200},
		{"tracking key does not read", keyed, map[string]string{"Authorization": "Token pub"}, 401},
		{"tracking key as Bearer does not read", keyed, map[string]string{"Authorization": "Bearer pub"}, 401},
		{"wrong read key", keyed, map[string]string{"Authorization": "Bearer nope"}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/events", "/api/customers", "/api/stats", "/api/outbox", "/collector/", "/"} {
				r := tt.h.must("GET", path, "", tt.header)
				if r.status != tt.status {
					t.Errorf("%s: got %d %s, want %d", path, r.status, r.body, tt.status)
				}
				if r.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("%s: 401 without a Basic challenge, so a browser would not ask", path)
				}
			}
		})
	}
	// Tracking is not a read: the public key still tracks.
	wantStatus(t, keyed.must("POST", "/track/v2/projects/p/batch", batchBody(ev("", "c", "x")),
		map[string]string{"Authorization": "Token pub"}), 200)
}

func TestHostCheck(t *testing.T) {
	local := newHarness(t, Config{})
	named := newHarness(t, Config{Hosts: []string{"collect.shop.example"}})
	port := local.srv.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name   string
		h      *harness
		host   string
		status int
	}{
		{"loopback IP", local, "127.0.0.1:" + strconv.Itoa(port), 200},
		{"localhost", local, "localhost:" + strconv.Itoa(port), 200},
		{"localhost, upper case, no port", local, "LOCALHOST", 200},
		{"IPv6 loopback", local, "[::1]:" + strconv.Itoa(port), 200},
		{"DNS rebinding: a foreign name resolved to loopback", local, "evil.example:" + strconv.Itoa(port), 421},
		{"configured name", named, "collect.shop.example", 200},
		{"configured name with a trailing dot and a port", named, "collect.shop.example.:443", 200},
		{"loopback is not in a configured list", named, "127.0.0.1:" + strconv.Itoa(port), 421},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/stats", "/track/v2/projects/p/system/time", "/collector/"} {
				r := tt.h.must("GET", path, "", map[string]string{"Host": tt.host})
				if r.status != tt.status {
					t.Errorf("%s: got %d %s, want %d", path, r.status, r.body, tt.status)
				}
			}
		})
	}
}

func TestFaultsRefusedCrossSite(t *testing.T) {
	h := newHarness(t, Config{Faults: true, Origins: []string{"*"}})
	rule := `{"status":503}`
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		status int
	}{
		{"no header: a form or a text/plain fetch from any page", "POST", "/api/faults", map[string]string{"Content-Type": "text/plain"}, 403},
		{"no header: reset", "POST", "/api/reset", map[string]string{"Content-Type": "text/plain"}, 403},
		{"header from another origin", "POST", "/api/faults", map[string]string{faults.Header: "1", "Origin": "http://evil.example"}, 403},
		{"header, cross-site by fetch metadata", "POST", "/api/faults", map[string]string{faults.Header: "1", "Sec-Fetch-Site": "cross-site"}, 403},
		{"header, same-site but another origin", "DELETE", "/api/faults", map[string]string{faults.Header: "1", "Sec-Fetch-Site": "same-site"}, 403},
		{"header through a proxy", "POST", "/api/faults", map[string]string{faults.Header: "1", "X-Forwarded-For": "203.0.113.9"}, 403},
		{"preflight is never granted", "OPTIONS", "/api/faults", map[string]string{"Origin": "http://evil.example",
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-collector-faults"}, 403},
		{"header from a tool", "POST", "/api/faults", map[string]string{faults.Header: "1"}, 200},
		{"header, same origin", "GET", "/api/faults", map[string]string{faults.Header: "1", "Origin": "http://" + "127.0.0.1:" + strconv.Itoa(h.srv.Addr().(*net.TCPAddr).Port), "Sec-Fetch-Site": "same-origin"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.must(tt.method, tt.path, rule, tt.header)
			if r.status != tt.status {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tt.status)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("the faults API answered with CORS headers")
			}
		})
	}
	// Only the one accepted rule is in force.
	wantStatus(t, h.batch("p", ev("", "c", "x")), 503)
}

// TestFaultsAPIHonoursReadKeys: with read keys set, the fault-injection
// API and reset need one too, beside their header.
func TestFaultsAPIHonoursReadKeys(t *testing.T) {
	h := newHarness(t, Config{Faults: true, ReadKeys: []string{"rk"}})
	wantStatus(t, h.batch("p", ev("e1", "c", "x")), 200)
	withKey := map[string]string{faults.Header: "1", "Authorization": "Bearer rk"}
	tests := []struct {
		method, path string
		header       map[string]string
		status       int
	}{
		{"POST", "/api/faults", map[string]string{faults.Header: "1"}, 401},
		{"GET", "/api/faults", map[string]string{faults.Header: "1"}, 401},
		{"DELETE", "/api/faults", map[string]string{faults.Header: "1", "Authorization": "Bearer wrong"}, 401},
		{"POST", "/api/reset", map[string]string{faults.Header: "1"}, 401},
		{"GET", "/api/faults", withKey, 200},
	}
	for _, tt := range tests {
		if r := h.must(tt.method, tt.path, `{"status":503}`, tt.header); r.status != tt.status {
			t.Errorf("%s %s with %v: got %d %s, want %d", tt.method, tt.path, tt.header, r.status, r.body, tt.status)
		}
	}
	// Nothing refused took effect: no rule, and the event is still there.
	wantStatus(t, h.batch("p", ev("e2", "c", "x")), 200)
	if st := decode[store.Stats](t, h.must("GET", "/api/stats", "", map[string]string{"Authorization": "Bearer rk"})); st.Events != 2 {
		t.Errorf("events: got %d, want 2", st.Events)
	}
	wantStatus(t, h.must("POST", "/api/reset", "", withKey), 200)
}

func TestFaultsOnlyOnLoopback(t *testing.T) {
	dir := t.TempDir()
	// Listening on every interface is not loopback: New refuses at once
	// (the socket is open for microseconds and serves nothing).
	s, err := New(Config{DBPath: filepath.Join(dir, "a.db"), Addr: "0.0.0.0:0", Faults: true})
	if err == nil {
		s.Shutdown(t.Context())
		t.Fatal("got nil error for -faults on 0.0.0.0")
	}
	if !strings.Contains(err.Error(), "loopback") {
		t.Errorf("error %q does not say why", err)
	}
	if isLoopback(&net.TCPAddr{IP: net.IPv4zero}) || isLoopback(&net.TCPAddr{IP: net.ParseIP("192.0.2.1")}) ||
		!isLoopback(&net.TCPAddr{IP: net.ParseIP("127.0.0.2")}) || !isLoopback(&net.TCPAddr{IP: net.IPv6loopback}) {
		t.Error("isLoopback misjudges an address")
	}
}

// TestStartWarnings checks what the log says about an exposed collector,
// from the checks New makes on the address (a non-loopback listener is
// not opened: the warnings are a function of the configuration).
func TestStartWarnings(t *testing.T) {
	var buf bytes.Buffer
	s := &Server{cfg: Config{Logger: log.New(&buf, "", 0)}, ln: fakeListener{}, reads: access.Reads{Open: true}, hosts: access.Hosts{Any: true}}
	s.warn(false)
	for _, want := range []string{"WARNING: -open-reads", "can read every stored customer id", "no -keys or -private", "set -hosts"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	s.reads = access.Reads{}
	s.warn(false)
	if !strings.Contains(buf.String(), "reads (/api/, /collector/) are refused") {
		t.Errorf("log lacks the refused-reads note:\n%s", buf.String())
	}
	buf.Reset()
	s.reads, s.hosts = access.Reads{Loopback: true}, access.Hosts{}
	s.tracking = access.Tracking{Keys: []string{"k"}}
	s.warn(true)
	if buf.Len() != 0 {
		t.Errorf("a loopback collector with keys warned: %s", buf.String())
	}
}

type fakeListener struct{ net.Listener }

func (fakeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 443} }
