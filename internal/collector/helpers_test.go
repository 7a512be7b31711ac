package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// harness is a collector on a real SQLite file, serving on a loopback port
// of its own, and a client for it.
type harness struct {
	t      *testing.T
	srv    *Server
	url    string
	client *http.Client
	done   chan error // Serve's result
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	if cfg.DBPath == "" {
		cfg.DBPath = filepath.Join(t.TempDir(), "collector.db")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := &harness{t: t, srv: srv, url: "http://" + srv.Addr().String(), done: make(chan error, 1),
		client: &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}}
	go func() { h.done <- srv.Serve() }()
	t.Cleanup(func() { h.stop() })
	return h
}

// stop shuts the server down, as SIGTERM does; later calls do nothing.
func (h *harness) stop() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		h.t.Errorf("Shutdown: %v", err)
	}
	h.client.CloseIdleConnections()
}

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// send does one request; err is a transport error (dropped connection).
func (h *harness) send(method, path, body string, header map[string]string) (answer, error) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		}
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}, err
}

// must is send that fails the test on a transport error.
func (h *harness) must(method, path, body string, header map[string]string) answer {
	h.t.Helper()
	r, err := h.send(method, path, body, header)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// batch posts a batch to project p as text/plain, like the SDK at page close.
func (h *harness) batch(p string, cmds ...string) answer {
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

func decode[T any](t *testing.T, r answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// Event and Customer are rows of the read API, as a client decodes them.
type Event struct {
	ID          int64           `json:"id"`
	Project     string          `json:"project"`
	CommandID   *string         `json:"command_id"`
	CustomerIDs json.RawMessage `json:"customer_ids"`
	EventType   string          `json:"event_type"`
	Timestamp   float64         `json:"timestamp"`
	Properties  json.RawMessage `json:"properties"`
	ReceivedAt  float64         `json:"received_at"`
}

type Customer struct {
	ID          int64           `json:"id"`
	Project     string          `json:"project"`
	CommandID   *string         `json:"command_id"`
	CustomerIDs json.RawMessage `json:"customer_ids"`
	Properties  json.RawMessage `json:"properties"`
	ReceivedAt  float64         `json:"received_at"`
}

func (h *harness) events(query string) []Event {
	h.t.Helper()
	return decode[struct{ Events []Event }](h.t, h.must("GET", "/api/events?"+query, "", nil)).Events
}

func (h *harness) customers(query string) []Customer {
	h.t.Helper()
	return decode[struct{ Customers []Customer }](h.t, h.must("GET", "/api/customers?"+query, "", nil)).Customers
}

func (h *harness) stats() store.Stats {
	h.t.Helper()
	return decode[store.Stats](h.t, h.must("GET", "/api/stats", "", nil))
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

func wantStatus(t *testing.T, r answer, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status: got %d, want %d (body %s)", r.status, want, r.body)
	}
}
