package tracker

import (
	"errors"
	"math"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// maxTimestamp is year 2286 in Unix seconds: later values are a unit mistake
// (milliseconds passed as seconds).
const maxTimestamp = 9_999_999_999

// parse validates one call's argument.
func (t *Tracker) parse(c Call) (op, error) {
	switch c.Method {
	case "trackEvent":
		return parseEvent(c)
	case "identifyCustomer":
		return parseCustomer(c)
	}
	return op{}, typeErr(c.Method, "method", "is not a method of the tracker")
}

// members splits a call's argument object. It allows one level more than
// jsonx.MaxDepth, the argument's own, so that a member nested too deeply is
// reported by name when the member itself is parsed.
func members(method, field string, raw []byte) ([]jsonx.Member, error) {
	ms, err := jsonx.ObjectLimit(raw, jsonx.MaxDepth+1)
	switch {
	case errors.Is(err, jsonx.ErrTooDeep):
		return nil, rangeErr(method, field, "is nested more than "+strconv.Itoa(jsonx.MaxDepth-1)+" levels deep")
	case err != nil:
		return nil, typeErr(method, field, "must be an object")
	}
	return ms, nil
}

func parseEvent(c Call) (op, error) {
	const m = "trackEvent"
	ms, err := members(m, "event", c.Args)
	if err != nil {
		return op{}, err
	}
	o := op{ts: c.Time / 1000}
	for _, mem := range ms {
		switch mem.Key {
		case "name":
			if s, err := jsonx.String(mem.Value); err != nil || s == "" {
				return op{}, typeErr(m, "name", "must be a non-empty string")
			}
			o.event = mem.Value
		case "properties":
			if o.props, err = parseProps(m, "properties", mem.Value); err != nil {
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
	if f <= 0 || f > maxTimestamp || math.IsNaN(f) {
		return 0, rangeErr(method, "timestamp", "must be seconds since the Unix epoch, between 0 and 9999999999")
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
	ms, err := members(method, "options", args)
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

func parseCustomer(c Call) (op, error) {
	const m = "identifyCustomer"
	ms, err := members(m, "customer", c.Args)
	if err != nil {
		return op{}, err
	}
	var o op
	for _, mem := range ms {
		switch mem.Key {
		case "ids":
			if o.ids, err = parseIDs(m, mem.Value); err != nil {
				return op{}, err
			}
		case "properties":
			if o.props, err = parseProps(m, "properties", mem.Value); err != nil {
				return op{}, err
			}
		}
	}
	return o, nil
}
