package tracker

import (
	"errors"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// parse validates one call's argument.
func (t *Tracker) parse(c Call, p *parser) (op, error) {
	switch c.Method {
	case "trackEvent":
		return parseEvent(c, p)
	case "identifyCustomer":
		return parseCustomer(c, p)
	}
	return op{}, typeErr(c.Method, "method", "is not a method of the tracker")
}

// parser is what the calls of one batch share while they are parsed, so
// that a burst of calls costs few allocations per call. A nil parser
// allocates as jsonx does (configuration, stored state, single values).
type parser struct {
	names *jsonx.Names   // interns member names
	free  []jsonx.Member // the unused rest of the current chunk
	chunk int            // members per chunk
}

// newParser returns a parser for a batch of n calls: chunks of 8 members
// a call, up to 256, as most calls have a handful of properties. A single
// call has nothing to share a chunk with: its objects are allocated to
// size.
func newParser(names *jsonx.Names, n int) *parser {
	p := &parser{names: names}
	if n > 1 {
		p.chunk = min(8*n, 256)
	}
	return p
}

// nameTable returns the names to intern member names in, or nil.
func (p *parser) nameTable() *jsonx.Names {
	if p == nil {
		return nil
	}
	return p.names
}

// object returns the members of the object raw, as jsonx.ObjectNames does,
// carving them from a chunk shared by the batch when they fit: the objects
// a batch keeps then cost a few allocations in all, rather than one and a
// copy each. A chunk lives as long as any object carved from it.
func (p *parser) object(raw []byte, limit int) ([]jsonx.Member, error) {
	if p == nil || p.chunk == 0 {
		return jsonx.ObjectNames(raw, limit, p.nameTable())
	}
	if cap(p.free) < 16 {
		p.free = make([]jsonx.Member, 0, p.chunk)
	}
	ms, err := jsonx.AppendObject(p.free, raw, limit, p.names)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	if cap(ms) == cap(p.free) { // it fitted: what follows stays free
		p.free = ms[len(ms):]
	}
	// Clipped, so that appending to it can never reach the next object.
	return ms[:len(ms):len(ms)], nil
}

// members splits a call's argument object, appending its members to dst
// (callers pass a buffer on their stack: the members are only looked at).
// It allows one level more than jsonx.MaxDepth, the argument's own, so
// that a member nested too deeply is reported by name when the member
// itself is parsed.
func members(dst []jsonx.Member, method, field string, raw []byte, names *jsonx.Names) ([]jsonx.Member, error) {
	ms, err := jsonx.AppendObject(dst, raw, jsonx.MaxDepth+1, names)
	switch {
	case errors.Is(err, jsonx.ErrTooDeep):
		return nil, rangeErr(method, field, "is nested more than "+strconv.Itoa(jsonx.MaxDepth-1)+" levels deep")
	case err != nil:
		return nil, typeErr(method, field, "must be an object")
	}
	return ms, nil
}

func parseEvent(c Call, p *parser) (op, error) {
	const m = "trackEvent"
	var buf [8]jsonx.Member
	ms, err := members(buf[:0], m, "event", c.Args, p.nameTable())
	if err != nil {
		return op{}, err
	}
	o := op{kind: queue.KindEvent, ts: c.TimeMs / 1000}
	for _, mem := range ms {
		switch mem.Key {
		case "name":
			if !wire.NonEmptyString(mem.Value) {
				return op{}, typeErr(m, "name", "must be a non-empty string")
			}
			o.event = mem.Value
		case "properties":
			if o.props, err = parsePropsWith(p, m, "properties", mem.Value); err != nil {
				return op{}, err
			}
		case "timestamp":
			if o.ts, err = parseTimestamp(m, mem.Value, o.ts); err != nil {
				return op{}, err
			}
		}
	}
	if o.event == nil {
		return op{}, typeErr(m, "name", "must be a non-empty string")
	}
	return o, nil
}

// parseTimestamp reads an optional timestamp in Unix seconds; null keeps def.
func parseTimestamp(method string, raw []byte, def float64) (float64, error) {
	if string(raw) == "null" {
		return def, nil
	}
	f, err := jsonx.Number(raw)
	if err != nil {
		return 0, typeErr(method, "timestamp", "must be a number of seconds since the Unix epoch")
	}
	if !wire.ValidTimestamp(f) {
		return 0, rangeErr(method, "timestamp", "must be seconds since the Unix epoch, between "+
			strconv.Itoa(wire.MinTimestamp)+" and "+strconv.Itoa(wire.MaxTimestamp))
	}
	return f, nil
}

// SessionTime reads trackSessionStart/End's optional argument
// {timestamp?: Unix seconds} and returns the session time in Unix
// milliseconds, the call's own time when none is given.
func SessionTime(method string, args []byte, callTime float64) (float64, error) {
	if len(args) == 0 || string(args) == "null" {
		return callTime, nil
	}
	ms, err := members(nil, method, "options", args, nil)
	if err != nil {
		return 0, err
	}
	ts := callTime / 1000
	for _, mem := range ms {
		if mem.Key == "timestamp" {
			if ts, err = parseTimestamp(method, mem.Value, ts); err != nil {
				return 0, err
			}
		}
	}
	return ts * 1000, nil
}

func parseCustomer(c Call, p *parser) (op, error) {
	const m = "identifyCustomer"
	var buf [8]jsonx.Member
	ms, err := members(buf[:0], m, "customer", c.Args, p.nameTable())
	if err != nil {
		return op{}, err
	}
	o := op{kind: queue.KindCustomer}
	for _, mem := range ms {
		switch mem.Key {
		case "ids":
			if o.ids, err = parseIDsWith(p, m, mem.Value); err != nil {
				return op{}, err
			}
		case "properties":
			if o.props, err = parsePropsWith(p, m, "properties", mem.Value); err != nil {
				return op{}, err
			}
		}
	}
	return o, nil
}
