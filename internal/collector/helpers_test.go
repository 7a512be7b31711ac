package collector

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// harness is a collector on a real SQLite file behind an httptest server.
type harness struct {
	t   *testing.T
	srv *Server
	ts  *httptest.Server
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	if cfg.DBPath == "" {
		cfg.DBPath = filepath.Join(t.TempDir(), "collector.db")
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &harness{t: t, srv: srv, ts: ts}
}

// reply is a response read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// send does one request; err is a transport error (dropped connection).
func (h *harness) send(method, path, body string, header map[string]string) (reply, error) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}, err
}

// must is send that fails the test on a transport error.
func (h *harness) must(method, path, body string, header map[string]string) reply {
	h.t.Helper()
	r, err := h.send(method, path, body, header)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// batch posts a batch to project p as text/plain, like the SDK at page close.
func (h *harness) batch(p string, cmds ...string) reply {
	h.t.Helper()
	return h.must("POST", "/track/v2/projects/"+p+"/batch", batchBody(cmds...),
		map[string]string{"Content-Type": "text/plain;charset=UTF-8"})
}

func batchBody(cmds ...string) string {
	return `{"commands":[` + strings.Join(cmds, ",") + `]}`
}

// ev is a customers/events command; an empty id leaves command_id out.
func ev(id, cookie, eventType string) string {
	cid := ""
	if id != "" {
		cid = fmt.Sprintf(`"command_id":%q,`, id)
	}
	return fmt.Sprintf(`{"name":"customers/events",%s"data":{"customer_ids":{"cookie":%q},"event_type":%q,"timestamp":1764320000.5,"properties":{"n":1}}}`,
		cid, cookie, eventType)
}

// cu is a customers command.
func cu(id, cookie string) string {
	return fmt.Sprintf(`{"name":"customers","command_id":%q,"data":{"customer_ids":{"cookie":%q,"registered":"a@b.com"},"properties":{"paying":true}}}`,
		id, cookie)
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func (h *harness) events(query string) []Event {
	h.t.Helper()
	return decode[struct{ Events []Event }](h.t, h.must("GET", "/api/events?"+query, "", nil)).Events
}

func (h *harness) customers(query string) []Customer {
	h.t.Helper()
	return decode[struct{ Customers []Customer }](h.t, h.must("GET", "/api/customers?"+query, "", nil)).Customers
}

func (h *harness) stats() Stats {
	h.t.Helper()
	return decode[Stats](h.t, h.must("GET", "/api/stats", "", nil))
}

// batchResult is a batch response as a client reads it.
type batchResult struct {
	Results []struct {
		Success bool     `json:"success"`
		Errors  []string `json:"errors"`
		Time    float64  `json:"time"`
	} `json:"results"`
	Success   bool    `json:"success"`
	StartTime float64 `json:"start_time"`
	EndTime   float64 `json:"end_time"`
	Error     string  `json:"error"`
}

func wantStatus(t *testing.T, r reply, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status: got %d, want %d (body %s)", r.status, want, r.body)
	}
}
