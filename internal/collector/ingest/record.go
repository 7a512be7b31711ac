package ingest

import (
	"slices"
	"strings"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// parseData validates the body of a single-command endpoint.
func parseData(kind string, data []byte, now float64) (store.Record, []string) {
	c, errs := wire.ParseData(kind, data)
	return toRecord(c, now), errs
}

// toRecord turns a validated command into the record to store. An event
// without a timestamp is stamped with now, as the real API does.
func toRecord(c wire.Command, now float64) store.Record {
	rec := store.Record{Kind: c.Name, CommandID: c.ID, EventType: c.EventType, Timestamp: c.Timestamp}
	if rec.Timestamp == 0 {
		rec.Timestamp = now
	}
	rec.CustomerIDs = canonicalIDs(c.CustomerIDs)
	rec.Properties = string(compact(c.Properties))
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
