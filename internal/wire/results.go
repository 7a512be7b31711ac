package wire

import (
	"errors"
	"strings"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Result is the server's verdict on one command of a batch.
type Result struct {
	// OK is the command's "success" value.
	OK bool
	// Errors holds the server's error texts for a failed command.
	Errors []string
	// Time is the server's time in Unix seconds, the answer to a
	// system/time command (0: none).
	Time float64
}

// Reason joins the result's error texts for a report.
func (r Result) Reason() string {
	if len(r.Errors) == 0 {
		return "rejected by the server"
	}
	return strings.Join(r.Errors, "; ")
}

// ErrMalformed is returned when a 2xx batch response does not parse or
// does not carry one result per command.
var ErrMalformed = errors.New("wire: malformed batch response")

// ParseResults reads the per-command results of a 2xx batch response for a
// batch of n commands. A body that does not parse, lacks "results", has a
// result without a boolean "success", or holds a count other than n is
// ErrMalformed: the caller must then keep every command, since nothing says
// which ones arrived.
func ParseResults(body []byte, n int) ([]Result, error) {
	raw, ok, err := jsonx.Lookup(body, "results")
	if err != nil || !ok {
		return nil, ErrMalformed
	}
	elems, err := jsonx.Array(raw)
	if err != nil || len(elems) != n {
		return nil, ErrMalformed
	}
	out := make([]Result, n)
	for i, e := range elems {
		r, err := parseResult(e)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func parseResult(raw []byte) (Result, error) {
	ms, err := jsonx.Object(raw)
	if err != nil {
		return Result{}, ErrMalformed
	}
	var r Result
	seen := false
	for _, m := range ms {
		switch m.Key {
		case "success":
			b, err := jsonx.Bool(m.Value)
			if err != nil {
				return Result{}, ErrMalformed
			}
			r.OK, seen = b, true
		case "errors", "error":
			r.Errors = append(r.Errors, texts(m.Value)...)
		}
	}
	if !seen {
		return Result{}, ErrMalformed
	}
	if r.OK {
		r.Errors = nil
	}
	return r, nil
}

// texts turns an error value into strings: a string is itself, an array
// gives one text per element, anything else its raw JSON.
func texts(raw []byte) []string {
	if s, err := jsonx.String(raw); err == nil {
		return []string{s}
	}
	if elems, err := jsonx.Array(raw); err == nil {
		var out []string
		for _, e := range elems {
			out = append(out, texts(e)...)
		}
		return out
	}
	if string(raw) == "null" {
		return nil
	}
	return []string{string(raw)}
}

// ErrorText extracts the error text of a whole-request error body such as
// {"success":false,"error":"..."}; "" when there is none.
func ErrorText(body []byte) string {
	ms, err := jsonx.Object(body)
	if err != nil {
		return ""
	}
	var out []string
	for _, m := range ms {
		if m.Key == "error" || m.Key == "errors" || m.Key == "message" {
			out = append(out, texts(m.Value)...)
		}
	}
	return strings.Join(out, "; ")
}

// AppendResponse appends the body of a batch answer: the results in order,
// and the times the server started and ended the request, in Unix seconds.
func AppendResponse(dst []byte, results []Result, start, end float64) []byte {
	dst = append(dst, `{"results":[`...)
	for i, r := range results {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"success":`...)
		if r.OK {
			dst = append(dst, "true"...)
		} else {
			dst = append(dst, "false"...)
		}
		if len(r.Errors) > 0 {
			dst = append(dst, `,"errors":[`...)
			for j, e := range r.Errors {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = jsonx.AppendString(dst, e)
			}
			dst = append(dst, ']')
		}
		if r.Time != 0 {
			dst = append(dst, `,"time":`...)
			dst = jsonx.AppendFloat(dst, r.Time)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `],"success":true,"start_time":`...)
	dst = jsonx.AppendFloat(dst, start)
	dst = append(dst, `,"end_time":`...)
	dst = jsonx.AppendFloat(dst, end)
	return append(dst, '}')
}

// AppendError appends the body of a whole-request error,
// {"success":false,"error":msg}.
func AppendError(dst []byte, msg string) []byte {
	dst = append(dst, `{"success":false,"error":`...)
	dst = jsonx.AppendString(dst, msg)
	return append(dst, '}')
}
