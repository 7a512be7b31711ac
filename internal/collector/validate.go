package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Command names of the Tracking API v2 that the collector understands.
const (
	cmdEvent    = "customers/events"
	cmdCustomer = "customers"
	cmdTime     = "system/time"
)

// Validation messages, worded like Bloomreach's per-command errors.
const (
	errCustomerIDs = "customer_ids: must be a non-empty object of string values"
	errEventType   = "event_type: must be a non-empty string"
	errTimestamp   = "timestamp: must be a finite number >= 0"
	errProperties  = "properties: must be an object"
	errData        = "data: must be an object"
	errCommand     = "command: must be an object"
	errName        = "name: must be a non-empty string"
	errCommandID   = "command_id: must be a non-empty string"
)

// record is a validated command that is ready to be stored. JSON-valued
// fields are kept as compact JSON text.
type record struct {
	kind        string // cmdEvent or cmdCustomer
	commandID   string // "" when the command carried none
	customerIDs string
	eventType   string
	timestamp   float64
	properties  string
}

// parseCommand validates one element of a batch's commands array. It
// returns the command's name and, for events and customer updates, the
// record to store; errs is non-empty when the command must be refused.
func parseCommand(raw json.RawMessage, now float64) (name string, rec record, errs []string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return "", rec, []string{errCommand}
	}
	if err := json.Unmarshal(fields["name"], &name); err != nil || name == "" {
		return "", rec, []string{errName}
	}
	var id string
	if v, ok := fields["command_id"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &id); err != nil || id == "" {
			errs = append(errs, errCommandID)
		}
	}
	switch name {
	case cmdTime:
		return name, rec, errs
	case cmdEvent, cmdCustomer:
		rec, dataErrs := parseData(name, fields["data"], now)
		rec.commandID = id
		return name, rec, append(errs, dataErrs...)
	default:
		return name, rec, append(errs, fmt.Sprintf("name: unknown command %q", name))
	}
}

// parseData validates the data object of a customers/events or customers
// command (also the whole body of the single-command endpoints). An event
// without a timestamp is stamped with now, as the real API does.
func parseData(kind string, data json.RawMessage, now float64) (rec record, errs []string) {
	rec.kind = kind
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return rec, []string{errData}
	}
	ids, ok := parseCustomerIDs(fields["customer_ids"])
	if !ok {
		errs = append(errs, errCustomerIDs)
	}
	rec.customerIDs = ids
	if kind == cmdEvent {
		if err := json.Unmarshal(fields["event_type"], &rec.eventType); err != nil || rec.eventType == "" {
			errs = append(errs, errEventType)
		}
		rec.timestamp = now
		if v, ok := fields["timestamp"]; ok && !isNull(v) {
			ts, ok := parseTimestamp(v)
			if !ok {
				errs = append(errs, errTimestamp)
			}
			rec.timestamp = ts
		}
	}
	rec.properties = "{}"
	if v, ok := fields["properties"]; ok && !isNull(v) {
		var buf bytes.Buffer
		if v = bytes.TrimSpace(v); len(v) == 0 || v[0] != '{' || json.Compact(&buf, v) != nil {
			errs = append(errs, errProperties)
		} else {
			rec.properties = buf.String()
		}
	}
	return rec, errs
}

// parseCustomerIDs accepts a non-empty object whose values are all
// non-empty strings and returns it as JSON text with sorted keys.
func parseCustomerIDs(v json.RawMessage) (string, bool) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil || len(raw) == 0 {
		return "", false
	}
	ids := make(map[string]string, len(raw))
	for k, rv := range raw {
		var s string
		if k == "" || json.Unmarshal(rv, &s) != nil || s == "" {
			return "", false
		}
		ids[k] = s
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// parseTimestamp accepts a JSON number that is finite and not negative.
func parseTimestamp(v json.RawMessage) (float64, bool) {
	var n json.Number
	if v = bytes.TrimSpace(v); len(v) == 0 || v[0] == '"' || json.Unmarshal(v, &n) != nil {
		return 0, false // a quoted number is not a number
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	return f, true
}

func isNull(v json.RawMessage) bool {
	return string(bytes.TrimSpace(v)) == "null"
}
