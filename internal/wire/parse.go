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

// ParseCommand validates one element of a batch's commands array. errs is
// empty when the command is valid, else it holds every problem found, in
// the order of the fields above. A command holding bytes that are not
// UTF-8 is refused as a whole (ErrTextUTF8): stored, it would make every
// answer that carries it unreadable to a strict JSON reader.
func ParseCommand(raw []byte) (c Command, errs []string) {
	if !utf8.Valid(raw) {
		return c, []string{ErrTextUTF8}
	}
	ms, err := jsonx.Object(raw)
	if err != nil {
		return c, []string{ErrTextCommand}
	}
	var data []byte
	nameOK, idOK := false, true
	for _, m := range ms { // a repeated member: the last one counts
		switch m.Key {
		case "name":
			c.Name, err = jsonx.String(m.Value)
			nameOK = err == nil && c.Name != ""
		case "command_id":
			c.ID, idOK = "", true
			if string(m.Value) != "null" {
				c.ID, err = jsonx.String(m.Value)
				idOK = err == nil && validCommandID(c.ID)
			}
		case "data":
			data = m.Value
		}
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
		d, derrs := ParseData(c.Name, data)
		d.ID = c.ID
		return d, append(errs, derrs...)
	}
	return c, append(errs, "name: unknown command "+strconv.Quote(c.Name))
}

// ParseData validates the data object of a customers/events or customers
// command, which is also the whole body of the single-command endpoints.
func ParseData(name string, data []byte) (c Command, errs []string) {
	c.Name = name
	if !utf8.Valid(data) {
		return c, []string{ErrTextUTF8}
	}
	ms, err := jsonx.Object(data)
	if err != nil {
		return c, []string{ErrTextData}
	}
	var ids, typ, ts, props []byte
	for _, m := range ms { // a repeated member: the last one counts
		switch m.Key {
		case "customer_ids":
			ids = m.Value
		case "event_type":
			typ = m.Value
		case "timestamp":
			ts = m.Value
		case "properties":
			props = m.Value
		}
	}
	var ok bool
	if c.CustomerIDs, ok = parseCustomerIDs(ids); !ok {
		errs = append(errs, ErrTextCustomerIDs)
	}
	if name == CommandEvent {
		if c.EventType, err = jsonx.String(typ); err != nil || c.EventType == "" {
			errs = append(errs, ErrTextEventType)
		}
		if ts != nil && string(ts) != "null" {
			f, err := jsonx.Number(ts)
			if err != nil || !ValidTimestamp(f) {
				errs = append(errs, ErrTextTimestamp)
			}
			c.Timestamp = f
		}
	}
	c.Properties = []byte("{}")
	if props != nil && string(props) != "null" {
		pm, err := jsonx.Object(props)
		if err != nil {
			return c, append(errs, ErrTextProperties)
		}
		for _, m := range pm {
			if !ValueFits(len(m.Value)) {
				errs = append(errs, "properties."+m.Key+": is "+strconv.Itoa(len(m.Value))+
					" bytes encoded, over the 16 KB limit for a value")
			}
		}
		c.Properties = props
	}
	return c, errs
}

// parseCustomerIDs accepts a non-empty object whose names are not empty and
// whose values are all non-empty strings.
func parseCustomerIDs(raw []byte) (Props, bool) {
	ms, err := jsonx.Object(raw)
	if err != nil || len(ms) == 0 {
		return nil, false
	}
	for _, m := range ms {
		if m.Key == "" || !NonEmptyString(m.Value) {
			return nil, false
		}
	}
	return ms, true
}

// NonEmptyString reports whether raw, a value from jsonx (validated, no
// white space around it), is a string that decodes to something other than
// "": every escape decodes to at least one character, so no decoding is
// needed.
func NonEmptyString(raw []byte) bool {
	return len(raw) > 2 && raw[0] == '"'
}
