package closepath

import (
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Outcome is how a keepalive request of the page-close path ended,
// as the loader reports it when the page lived on to see the answer:
// {"ids":[...],"status":200,"body":"...","failed":false}. Failed means no
// response came (a network error).
type Outcome struct {
	IDs      []string
	Response flush.Response
	Failed   bool
}

// ParseOutcome reads the loader's report (_keepaliveDone).
func ParseOutcome(raw []byte) (Outcome, error) {
	var o Outcome
	ms, err := jsonx.Object(raw)
	if err != nil {
		return o, err
	}
	for _, m := range ms {
		switch m.Key {
		case "ids":
			if o.IDs, err = ParseIDs(m.Value); err != nil {
				return o, err
			}
		case "status":
			f, err := jsonx.Number(m.Value)
			if err != nil {
				return o, err
			}
			o.Response.Status = int(f)
		case "body":
			s, err := jsonx.String(m.Value)
			if err != nil {
				return o, err
			}
			o.Response.Body = []byte(s)
		case "failed":
			if o.Failed, err = jsonx.Bool(m.Value); err != nil {
				return o, err
			}
		}
	}
	return o, nil
}

// ParseIDs reads a JSON array of record ids.
func ParseIDs(raw []byte) ([]string, error) {
	els, err := jsonx.Array(raw)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(els))
	for i, el := range els {
		if ids[i], err = jsonx.String(el); err != nil {
			return nil, err
		}
	}
	return ids, nil
}
