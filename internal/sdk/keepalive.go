package sdk

import (
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// keepaliveOutcome is how a keepalive request of the page-close path ended,
// as the loader reports it when the page lived on to see the answer:
// {"ids":[...],"status":200,"body":"...","failed":false}. Failed means no
// response came (a network error).
type keepaliveOutcome struct {
	IDs      []string
	Response flush.Response
	Failed   bool
}

// parseKeepaliveOutcome reads the loader's report.
func parseKeepaliveOutcome(raw []byte) (keepaliveOutcome, error) {
	var o keepaliveOutcome
	ms, err := jsonx.Object(raw)
	if err != nil {
		return o, err
	}
	for _, m := range ms {
		switch m.Key {
		case "ids":
			els, err := jsonx.Array(m.Value)
			if err != nil {
				return o, err
			}
			for _, el := range els {
				id, err := jsonx.String(el)
				if err != nil {
					return o, err
				}
				o.IDs = append(o.IDs, id)
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
