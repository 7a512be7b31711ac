package tracker

import (
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// parseProps validates a properties object. Absent or null means empty.
func parseProps(method, field string, raw []byte) (wire.Props, error) {
	return parsePropsWith(nil, method, field, raw)
}

// parsePropsWith is parseProps for a call of a batch parsed with p.
func parsePropsWith(p *parser, method, field string, raw []byte) (wire.Props, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	ms, err := p.object(raw, jsonx.MaxDepth)
	switch {
	case errors.Is(err, jsonx.ErrType):
		return nil, typeErr(method, field, "must be an object")
	case errors.Is(err, jsonx.ErrTooDeep):
		return nil, rangeErr(method, field, "is nested more than "+strconv.Itoa(jsonx.MaxDepth-1)+" levels deep")
	case err != nil:
		return nil, typeErr(method, field, "is not valid JSON: "+err.Error())
	}
	for _, m := range ms {
		if !wire.ValueFits(len(m.Value)) {
			return nil, rangeErr(method, field+"."+label(m),
				"is "+strconv.Itoa(len(m.Value))+" bytes encoded, over the 16 KB limit for a value")
		}
	}
	return dedupe(ms), nil
}

// label names a member in an error message: its name, or, when the name
// holds a lone surrogate (no UTF-8 form), the escaped form the page wrote.
func label(m jsonx.Member) string {
	if utf8.ValidString(m.Key) || len(m.RawKey) < 2 {
		return m.Key
	}
	return string(m.RawKey[1 : len(m.RawKey)-1])
}

// smallProps is the size up to which dedupe and Merge find names by a
// linear scan: events carry a handful of properties, and for those a scan
// is faster than a map and allocates nothing. Larger inputs use a map, so
// the worst case stays linear.
const smallProps = 16

// dedupe keeps the last of members that share a name, in first-seen order,
// as JavaScript does when it parses such an object. It works in place (ms
// is fresh from jsonx and the caller's), and writes nothing until the first
// duplicate: members hold pointers, so every write costs a write barrier.
func dedupe(ms []jsonx.Member) wire.Props {
	if len(ms) < 2 {
		return ms
	}
	var seen map[string]int // where each name is kept, for large inputs
	if len(ms) > smallProps {
		seen = make(map[string]int, len(ms))
	}
	n := 0 // ms[:n] are the members kept so far
	for j := range ms {
		key, i := ms[j].Key, -1
		if seen == nil {
			i = lastIndex(ms[:n], key)
		} else if k, ok := seen[key]; ok {
			i = k
		} else {
			seen[key] = n
		}
		switch {
		case i >= 0: // a duplicate: its value, in the first one's place
			ms[i].Value = ms[j].Value
		case n != j: // moved back over the duplicates dropped
			ms[n] = ms[j]
			n++
		default:
			n++
		}
	}
	return ms[:n]
}

// lastIndex returns the index of the last member of p named key, or -1.
func lastIndex(p wire.Props, key string) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Key == key {
			return i
		}
	}
	return -1
}

// Merge returns base overridden and extended by over: base's members keep
// their order with over's values where the names meet, then over's new
// members follow. Default properties go under an event's (the event wins);
// identifyCustomer's ids go over the stored ones.
func Merge(base, over wire.Props) wire.Props {
	if len(base) == 0 {
		return over
	}
	if len(over) == 0 {
		return base
	}
	return mergeInto(make(wire.Props, 0, len(base)+len(over)), base, over)
}

// mergeInto is Merge writing into dst's storage. It never returns base or
// over themselves, so a caller that only encodes the result can reuse dst
// for the next one.
func mergeInto(dst, base, over wire.Props) wire.Props {
	if n := len(base) + len(over); cap(dst) < n {
		dst = make(wire.Props, 0, n)
	}
	out := append(dst[:0], base...)
	if len(base) <= smallProps {
		for _, m := range over {
			// The last of base's members with the name, as the map finds.
			if i := lastIndex(out[:len(base)], m.Key); i >= 0 {
				out[i].Value = m.Value
			} else {
				out = append(out, m)
			}
		}
		return out
	}
	at := make(map[string]int, len(base))
	for i, m := range base {
		at[m.Key] = i
	}
	for _, m := range over {
		if i, ok := at[m.Key]; ok {
			out[i].Value = m.Value
		} else {
			out = append(out, m)
		}
	}
	return out
}

// clone copies p's raw values so p no longer aliases the input it was parsed
// from (which the caller may reuse).
func clone(p wire.Props) wire.Props {
	out := make(wire.Props, len(p))
	for i, m := range p {
		out[i] = jsonx.Member{Key: m.Key, Value: append([]byte(nil), m.Value...), RawKey: append([]byte(nil), m.RawKey...)}
	}
	return out
}
