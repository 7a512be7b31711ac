package wire

import (
	"strconv"
	"unicode/utf8"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// The per-command error texts a server answers with, worded like
// Bloomreach's.
const (
	ErrTextCommand     = "command: must be an object"
	ErrTextName        = "name: must be a non-empty string"
	ErrTextCommandID   = "command_id: must be a string of 1 to 128 bytes without control characters"
	ErrTextUTF8        = "command: must be valid UTF-8"
	ErrTextData        = "data: must be an object"
	ErrTextCustomerIDs = "customer_ids: must be a non-empty object of string values"
	ErrTextEventType   = "event_type: must be a non-empty string"
	ErrTextTimestamp   = "timestamp: must be a number of Unix seconds, above 0 and at most 9999999999"
	ErrTextProperties  = "properties: must be an object"
)

// Command is a parsed and validated command of a batch, or the data object
// of a single-command request.
type Command struct {
	// Name is CommandEvent, CommandCustomer or CommandTime.
	Name string
	// ID is the command_id; "" when the command carried none.
	ID string
	// CustomerIDs are the customer_ids, in the order sent, each value a
	// non-empty JSON string.
	CustomerIDs Props
	// EventType is the event type (events only).
	EventType string
	// Timestamp is the event time in Unix seconds; 0 when the command
	// carried none (the server then stamps it).
	Timestamp float64
	// Properties is the properties object as sent ("{}" when absent).
	Properties []byte
}

// parseCommand validates one element of a batch's commands array. errs is
// empty when the command is valid, else it holds every problem found, in
// the order of the fields above. A command holding bytes that are not
// UTF-8 is refused as a whole (ErrTextUTF8): stored, it would make every
// answer that carries it unreadable to a strict JSON reader.
func parseCommand(raw []byte) (c Command, errs []string) {
	if !utf8.Valid(raw) {
		return c, []string{ErrTextUTF8}
	}
	if !jsonx.Valid(raw) {
		return c, []string{ErrTextCommand}
	}
	return commandOf(raw)
}

// commandOf is parseCommand for a command already validated as JSON. It
// reads the command in one pass: its data object, properties included, is
// read where it is met (data does not depend on the name, which may come
// after it; the rules that do are applied at the end).
func commandOf(raw []byte) (c Command, errs []string) {
	var d data
	nameOK, idOK := false, true
	var err error
	end := jsonx.WalkObject(raw, jsonx.SkipWS(raw, 0), func(k []byte, v int) int { // a repeated member: the last one counts
		e := jsonx.ValueEnd(raw, v)
		switch {
		case jsonx.KeyIs(k, "name"):
			c.Name, err = jsonx.String(raw[v:e])
			nameOK = err == nil && c.Name != ""
		case jsonx.KeyIs(k, "command_id"):
			c.ID, idOK = "", true
			if string(raw[v:e]) != "null" {
				c.ID, err = jsonx.String(raw[v:e])
				idOK = err == nil && validCommandID(c.ID) && !loneSurrogate(raw[v:e])
			}
		case jsonx.KeyIs(k, "data"):
			if e2 := d.read(raw, v); e2 > 0 {
				e = e2
			}
		}
		return e
	})
	if end < 0 {
		return c, []string{ErrTextCommand}
	}
	if !nameOK {
		return Command{}, []string{ErrTextName}
	}
	if !idOK {
		errs = append(errs, ErrTextCommandID)
		c.ID = ""
	}
	switch c.Name {
	case CommandTime:
		return c, errs
	case CommandEvent, CommandCustomer:
		dc, derrs := d.check(c.Name)
		dc.ID = c.ID
		return dc, append(errs, derrs...)
	}
	return c, append(errs, "name: unknown command "+strconv.Quote(c.Name))
}

// ParseData validates the data object of a customers/events or customers
// command, which is also the whole body of the single-command endpoints.
func ParseData(name string, raw []byte) (c Command, errs []string) {
	if !utf8.Valid(raw) {
		return Command{Name: name}, []string{ErrTextUTF8}
	}
	if !jsonx.Valid(raw) {
		return Command{Name: name}, []string{ErrTextData}
	}
	var d data
	d.read(raw, jsonx.SkipWS(raw, 0))
	return d.check(name)
}

// data is what one pass over a command's data object found.
type data struct {
	object              bool
	ids, typ, ts, props []byte // raw values; nil: absent
	propsObject         bool
	oversize            []string // errors for property values over MaxValueBytes
}

// read reads the validated data object at raw[i], its properties member
// by member, and returns the offset just after it (-1: not an object).
func (d *data) read(raw []byte, i int) int {
	*d = data{}
	end := jsonx.WalkObject(raw, i, func(k []byte, v int) int { // a repeated member: the last one counts
		switch {
		case jsonx.KeyIs(k, "customer_ids"):
			e := jsonx.ValueEnd(raw, v)
			d.ids = raw[v:e]
			return e
		case jsonx.KeyIs(k, "event_type"):
			e := jsonx.ValueEnd(raw, v)
			d.typ = raw[v:e]
			return e
		case jsonx.KeyIs(k, "timestamp"):
			e := jsonx.ValueEnd(raw, v)
			d.ts = raw[v:e]
			return e
		case jsonx.KeyIs(k, "properties"):
			d.oversize = d.oversize[:0]
			e := jsonx.WalkObject(raw, v, func(pk []byte, pv int) int {
				pe := jsonx.ValueEnd(raw, pv)
				if !ValueFits(pe - pv) {
					d.oversize = append(d.oversize, oversize("properties."+jsonx.KeyName(pk), pe-pv))
				}
				return pe
			})
			d.propsObject = e > 0
			if e < 0 {
				e = jsonx.ValueEnd(raw, v)
			}
			d.props = raw[v:e]
			return e
		}
		return jsonx.ValueEnd(raw, v)
	})
	d.object = end > 0
	return end
}

// check applies the rules of command name to the data read.
func (d *data) check(name string) (c Command, errs []string) {
	c.Name = name
	if !d.object {
		return c, []string{ErrTextData}
	}
	var ok bool
	if c.CustomerIDs, ok = parseCustomerIDs(d.ids); !ok {
		errs = append(errs, ErrTextCustomerIDs)
	}
	for _, m := range c.CustomerIDs {
		if !ValueFits(len(m.Value)) {
			errs = append(errs, oversize("customer_ids."+m.Key, len(m.Value)))
		}
	}
	if name == CommandEvent {
		var err error
		if c.EventType, err = jsonx.String(d.typ); err != nil || c.EventType == "" {
			errs = append(errs, ErrTextEventType)
		} else if !ValueFits(len(d.typ)) {
			errs = append(errs, oversize("event_type", len(d.typ)))
		}
		if d.ts != nil && string(d.ts) != "null" {
			f, err := jsonx.Number(d.ts)
			if err != nil || !ValidTimestamp(f) {
				errs = append(errs, ErrTextTimestamp)
			}
			c.Timestamp = f
		}
	}
	c.Properties = []byte("{}")
	if d.props != nil && string(d.props) != "null" {
		if !d.propsObject {
			return c, append(errs, ErrTextProperties)
		}
		errs = append(errs, d.oversize...)
		c.Properties = d.props
	}
	return c, errs
}

// parseCustomerIDs accepts a non-empty object (already validated) whose
// names are not empty and whose values are all non-empty strings.
func parseCustomerIDs(raw []byte) (Props, bool) {
	var out Props
	good := true
	end := jsonx.WalkObject(raw, 0, func(k []byte, v int) int {
		e := jsonx.ValueEnd(raw, v)
		name := jsonx.KeyName(k)
		good = good && name != "" && NonEmptyString(raw[v:e])
		out = append(out, jsonx.Member{Key: name, Value: raw[v:e], RawKey: k})
		return e
	})
	if end < 0 || !good || len(out) == 0 {
		return nil, false
	}
	return out, true
}

// NonEmptyString reports whether raw, a value from jsonx (validated, no
// white space around it), is a string that decodes to something other than
// "": every escape decodes to at least one character, so no decoding is
// needed.
func NonEmptyString(raw []byte) bool {
	return len(raw) > 2 && raw[0] == '"'
}

// oversize is the error of a value of n encoded bytes, over MaxValueBytes.
func oversize(field string, n int) string {
	return field + ": is " + strconv.Itoa(n) + " bytes encoded, over the 16 KB limit for a value"
}

// loneSurrogate reports whether raw, a valid JSON string literal, holds a
// \u escape of a UTF-16 surrogate that is not half of a pair. Decoded, it
// becomes U+FFFD, so ids that differ only there would be taken for one.
func loneSurrogate(raw []byte) bool {
	high := false // the escape before was a high surrogate
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			if high {
				return true
			}
			continue
		}
		i++
		if raw[i] != 'u' {
			if high {
				return true
			}
			continue
		}
		v, _ := strconv.ParseUint(string(raw[i+1:i+5]), 16, 16)
		i += 4
		switch {
		case v >= 0xd800 && v < 0xdc00:
			if high {
				return true
			}
			high = true
		case v >= 0xdc00 && v < 0xe000:
			if !high {
				return true
			}
			high = false
		case high:
			return true
		}
	}
	return high
}
