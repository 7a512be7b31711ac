package flush

import (
	"strings"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Outcome is the server's verdict on one command of a batch.
type Outcome struct {
	// OK is the command's "success" value.
	OK bool
	// Errors holds the server's error texts for a failed command.
	Errors []string
}

// Reason joins the outcome's error texts for a report.
func (o Outcome) Reason() string {
	if len(o.Errors) == 0 {
		return "rejected by the server"
	}
	return strings.Join(o.Errors, "; ")
}

// ParseResults reads the per-command results of a 2xx batch response,
// {"results":[{"success":true},{"success":false,"errors":["..."]}],...},
// for a batch of n commands. A body that does not parse, lacks "results",
// has a result without a boolean "success", or holds a count other than n
// is an error wrapping ErrMalformed: the caller must then keep every record,
// since nothing says which ones arrived.
func ParseResults(body []byte, n int) ([]Outcome, error) {
	raw, ok, err := jsonx.Lookup(body, "results")
	if err != nil || !ok {
		return nil, ErrMalformed
	}
	elems, err := jsonx.Array(raw)
	if err != nil || len(elems) != n {
		return nil, ErrMalformed
	}
	out := make([]Outcome, n)
	for i, e := range elems {
		o, err := parseResult(e)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

func parseResult(raw []byte) (Outcome, error) {
	ms, err := jsonx.Object(raw)
	if err != nil {
		return Outcome{}, ErrMalformed
	}
	var o Outcome
	seen := false
	for _, m := range ms {
		switch m.Key {
		case "success":
			b, err := jsonx.Bool(m.Value)
			if err != nil {
				return Outcome{}, ErrMalformed
			}
			o.OK, seen = b, true
		case "errors", "error":
			o.Errors = append(o.Errors, texts(m.Value)...)
		}
	}
	if !seen {
		return Outcome{}, ErrMalformed
	}
	if o.OK {
		o.Errors = nil
	}
	return o, nil
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

// serverReason extracts the error text of a whole-request error body such as
// {"success":false,"error":"..."}; "" when there is none.
func serverReason(body []byte) string {
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
