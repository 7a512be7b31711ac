package tracker

import (
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// StateCustomer is the state key under which the identity is stored.
const StateCustomer = "customer"

// Identity is who the records are tracked for: the cookie, the ids given to
// identifyCustomer, and whether the installation event was tracked for this
// cookie.
type Identity struct {
	Cookie    string
	IDs       wire.Props // raw JSON string values; never holds "cookie"
	Installed bool
}

// CustomerIDs returns the customer_ids object of a command: the cookie first,
// then the stored ids.
func (id Identity) CustomerIDs() wire.Props {
	out := make(wire.Props, 0, 1+len(id.IDs))
	cookie := jsonx.AppendString(make([]byte, 0, len(id.Cookie)+2), id.Cookie) // room for the quotes
	out = append(out, jsonx.Member{Key: "cookie", Value: cookie})
	return append(out, id.IDs...)
}

// Encode returns the identity as stored state.
func (id Identity) Encode() string {
	b := []byte(`{"cookie":`)
	b = jsonx.AppendString(b, id.Cookie)
	b = append(b, `,"ids":`...)
	b = id.IDs.AppendJSON(b)
	if id.Installed {
		b = append(b, `,"installed":true`...)
	}
	return string(append(b, '}'))
}

// DecodeIdentity reads stored state; ok is false when it is unusable (then
// the caller starts a new identity rather than failing forever).
func DecodeIdentity(s string) (id Identity, ok bool) {
	ms, err := jsonx.Object([]byte(s))
	if err != nil {
		return id, false
	}
	for _, m := range ms {
		switch m.Key {
		case "cookie":
			id.Cookie, err = jsonx.String(m.Value)
		case "ids":
			id.IDs, err = parseIDs("state", m.Value)
		case "installed":
			id.Installed, err = jsonx.Bool(m.Value)
		}
		if err != nil {
			return Identity{}, false
		}
	}
	return id, id.Cookie != ""
}

// parseIDs validates customer ids: an object of non-empty strings, without
// "cookie" (the SDK owns it).
func parseIDs(method string, raw []byte) (wire.Props, error) {
	return parseIDsWith(nil, method, raw)
}

// parseIDsWith is parseIDs for a call of a batch parsed with p.
func parseIDsWith(p *parser, method string, raw []byte) (wire.Props, error) {
	ps, err := parsePropsWith(p, method, "ids", raw)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Key == "" {
			return nil, typeErr(method, "ids", "must not have an empty key")
		}
		if p.Key == "cookie" {
			return nil, typeErr(method, "ids.cookie", "is managed by the SDK; call anonymize() for a new customer")
		}
		if !wire.NonEmptyString(p.Value) {
			return nil, typeErr(method, "ids."+label(p), "must be a non-empty string")
		}
	}
	return ps, nil
}
