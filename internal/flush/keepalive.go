package flush

import (
	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// KeepaliveOutcome is how a keepalive request of the page-close path ended,
// as the loader reports it when the page lived on to see the answer:
// {"ids":[...],"status":200,"body":"...","failed":false}. Failed means no
// response came (a network error).
type KeepaliveOutcome struct {
	IDs      []string
	Response Response
	Failed   bool
}

// ParseKeepaliveOutcome reads the loader's report.
func ParseKeepaliveOutcome(raw []byte) (KeepaliveOutcome, error) {
	var o KeepaliveOutcome
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
