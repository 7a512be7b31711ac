// Package reply writes the collector's HTTP answers: JSON bodies, the
// Tracking API's error shapes, and a dropped connection; and it remembers
// what a handler answered, so the request can be counted afterwards.
package reply

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/exponea-wasm/tracker/internal/wire"
)

// JSON writes v as the JSON response body with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep ">=" readable in error messages
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString(`{"success":false,"error":"encoding failed"}` + "\n")
	}
	Body(w, status, buf.Bytes())
}

// Body writes a JSON response body with the given status.
func Body(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// Error writes the Tracking API's whole-request error,
// {"success":false,"error":msg}.
func Error(w http.ResponseWriter, status int, msg string) {
	Body(w, status, wire.AppendError(nil, msg))
}

// Errors is the per-command error shape, also used by the single-command
// endpoints.
type Errors struct {
	Success bool     `json:"success"`
	Errors  []string `json:"errors"`
}

// StatusWriter remembers the status of a response, and whether its
// connection was hijacked, so the request can be counted afterwards.
type StatusWriter struct {
	http.ResponseWriter
	Status   int  // the status written, 0 before
	Hijacked bool // the connection was taken over: no answer was sent
	Counted  bool // the handler already counted the request with its storage
}

// WriteHeader records the first status.
func (sw *StatusWriter) WriteHeader(code int) {
	if sw.Status == 0 {
		sw.Status = code
	}
	sw.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (sw *StatusWriter) Write(b []byte) (int, error) {
	if sw.Status == 0 {
		sw.Status = http.StatusOK
	}
	return sw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (sw *StatusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// Hijack takes over the connection and records that no response was sent.
func (sw *StatusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(sw.ResponseWriter).Hijack()
	if err == nil {
		sw.Hijacked = true
	}
	return c, rw, err
}

// Drop closes the client's connection without writing a response.
// Where hijacking is impossible (HTTP/2) the handler is aborted, which
// resets the stream instead.
func Drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// Method reports whether r's method is one of methods (HEAD counts as
// GET); if not, it answers 405 with the Allow header.
func Method(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", ")+", OPTIONS")
	Error(w, http.StatusMethodNotAllowed, "method not allowed")
	return false
}
