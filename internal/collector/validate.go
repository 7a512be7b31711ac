package collector

import (
	"slices"
	"strings"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// record is a validated command that is ready to be stored. JSON-valued
// fields are kept as compact JSON text.
type record struct {
	kind        string // wire.CommandEvent or wire.CommandCustomer
	commandID   string // "" when the command carried none
	customerIDs string
	eventType   string
	timestamp   float64
	properties  string
}

// parseData validates the body of a single-command endpoint.
func parseData(kind string, data []byte, now float64) (record, []string) {
	c, errs := wire.ParseData(kind, data)
	return toRecord(c, now), errs
}

// toRecord turns a validated command into the record to store. An event
// without a timestamp is stamped with now, as the real API does.
func toRecord(c wire.Command, now float64) record {
	rec := record{kind: c.Name, commandID: c.ID, eventType: c.EventType, timestamp: c.Timestamp}
	if rec.timestamp == 0 {
		rec.timestamp = now
	}
	rec.customerIDs = canonicalIDs(c.CustomerIDs)
	rec.properties = string(compact(c.Properties))
	return rec
}

// canonicalIDs writes customer ids as a JSON object with sorted names, the
// last of repeated names winning, so that equal ids are equal text (the
// read API filters on them).
func canonicalIDs(ids wire.Props) string {
	type pair struct{ k, v string }
	ps := make([]pair, 0, len(ids))
	for _, m := range ids {
		v, _ := jsonx.String(m.Value)
		ps = append(ps, pair{m.Key, v})
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return strings.Compare(a.k, b.k) })
	b := []byte{'{'}
	for i, p := range ps {
		if i+1 < len(ps) && ps[i+1].k == p.k {
			continue // a later one of the same name wins
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = jsonx.AppendString(b, p.k)
		b = append(b, ':')
		b = jsonx.AppendString(b, p.v)
	}
	return string(append(b, '}'))
}

// compact removes the white space between the tokens of valid JSON. Most
// values have none (the SDK sends compact JSON), and are returned as they
// are after one pass.
func compact(v []byte) []byte {
	in := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			return compactFrom(v, i)
		}
	}
	return v
}

// compactFrom is compact for v whose first white space outside a string
// is at i.
func compactFrom(v []byte, i int) []byte {
	out := append(make([]byte, 0, len(v)), v[:i]...)
	in := false
	for ; i < len(v); i++ {
		c := v[i]
		switch {
		case in && c == '\\':
			out = append(out, c, v[i+1])
			i++
			continue
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			continue
		}
		out = append(out, c)
	}
	return out
}
