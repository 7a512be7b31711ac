package collector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/wire"
)

// writeJSON writes v as the JSON response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep ">=" readable in error messages
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString(`{"success":false,"error":"encoding failed"}` + "\n")
	}
	writeBody(w, status, buf.Bytes())
}

// writeBody writes a JSON response body with the given status.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// writeError writes the Tracking API's whole-request error,
// {"success":false,"error":msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeBody(w, status, wire.AppendError(nil, msg))
}

// errorsBody is the per-command error shape, also used by the single-command
// endpoints.
type errorsBody struct {
	Success bool     `json:"success"`
	Errors  []string `json:"errors"`
}

// statusWriter remembers the status of a response, and whether its
// connection was hijacked, so the request can be counted afterwards.
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
	counted  bool // the handler already counted the request with its storage
}

func (sw *statusWriter) WriteHeader(code int) {
	if sw.status == 0 {
		sw.status = code
	}
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *statusWriter) Write(b []byte) (int, error) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	return sw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// Hijack takes over the connection and records that no response was sent.
func (sw *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(sw.ResponseWriter).Hijack()
	if err == nil {
		sw.hijacked = true
	}
	return c, rw, err
}

// dropConnection closes the client's connection without writing a response.
// Where hijacking is impossible (HTTP/2) the handler is aborted, which
// resets the stream instead.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
