package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/reply"
)

// Rule is one fault-injection rule, as posted to /api/faults.
type Rule struct {
	Status          int    `json:"status,omitempty"`
	RetryAfter      string `json:"retry_after,omitempty"`
	Body            string `json:"body,omitempty"`
	Times           int    `json:"times,omitempty"` // 0: until cleared
	DelayMS         int    `json:"delay_ms,omitempty"`
	Drop            bool   `json:"drop,omitempty"`
	StoreThenDrop   bool   `json:"store_then_drop,omitempty"`
	PoisonEventType string `json:"poison_event_type,omitempty"`
	PoisonMode      string `json:"poison_mode,omitempty"` // "command" (default) or "batch"
}

// Poison modes.
const (
	PoisonCommand = "command" // the poisoned command is refused alone
	PoisonBatch   = "batch"   // the whole batch that carries it is refused
)

// validate checks the rule; a delay must end before the server's
// WriteTimeout would cut the answer.
func (r *Rule) validate(writeTimeout time.Duration) error {
	maxDelay := int(writeTimeout/time.Millisecond) - 1000
	switch {
	case r.Status != 0 && (r.Status < 200 || r.Status > 599):
		return errors.New("status: must be between 200 and 599")
	case r.Times < 0:
		return errors.New("times: must be >= 0")
	case r.DelayMS < 0 || r.DelayMS > maxDelay:
		return fmt.Errorf("delay_ms: must be between 0 and %d (the write timeout less a second)", maxDelay)
	case r.PoisonMode != "" && r.PoisonMode != PoisonCommand && r.PoisonMode != PoisonBatch:
		return errors.New(`poison_mode: must be "command" or "batch"`)
	case r.PoisonMode != "" && r.PoisonEventType == "":
		return errors.New("poison_mode: needs poison_event_type")
	case r.Status == 0 && r.DelayMS == 0 && !r.Drop && !r.StoreThenDrop && r.PoisonEventType == "":
		return errors.New("rule does nothing: set status, delay_ms, drop, store_then_drop or poison_event_type")
	}
	if r.PoisonEventType != "" && r.PoisonMode == "" {
		r.PoisonMode = PoisonCommand
	}
	return nil
}

// Rules holds the rules; every method is safe for concurrent use, and a
// nil *Rules has none.
type Rules struct {
	mu    sync.Mutex
	rules []Rule
}

func (f *Rules) add(r Rule) []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, r)
	return f.listLocked()
}

// Clear removes every rule.
func (f *Rules) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

func (f *Rules) list() []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listLocked()
}

func (f *Rules) listLocked() []Rule {
	return append([]Rule{}, f.rules...)
}

// Plan is what the rules do to one tracking request.
type Plan struct {
	Delay         time.Duration // wait this long first
	Status        int           // answer with this status (and retryAfter, body), storing nothing
	retryAfter    string
	body          string
	Drop          bool // close the connection without reading the request
	StoreThenDrop bool // store the request, then close without an answer
}

// Next consumes the rules for one tracking request. Rules apply in order:
// delays add up, and the first rule with an outcome (status, drop or
// store_then_drop) decides it and ends the walk, so the rules after it are
// not used up. A rule with times counts down each request it applied to and
// is removed at zero. Poison rules are skipped here: see Poisoned.
func (f *Rules) Next() Plan {
	var p Plan
	if f == nil {
		return p
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	kept := f.rules[:0]
	decided := false
	for _, r := range f.rules {
		if decided || r.PoisonEventType != "" {
			kept = append(kept, r)
			continue
		}
		p.Delay += time.Duration(r.DelayMS) * time.Millisecond
		switch {
		case r.Drop:
			p.Drop, decided = true, true
		case r.StoreThenDrop:
			p.StoreThenDrop, decided = true, true
		case r.Status != 0:
			p.Status, p.retryAfter, p.body, decided = r.Status, r.RetryAfter, r.Body, true
		}
		if r.Times > 0 {
			r.Times--
			if r.Times == 0 {
				continue // used up
			}
		}
		kept = append(kept, r)
	}
	clear(f.rules[len(kept):])
	f.rules = kept
	return p
}

// Poisoned returns the poison mode for eventType, or "" if it is not
// poisoned. "batch" wins over "command" when both rules exist.
func (f *Rules) Poisoned(eventType string) string {
	if f == nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	mode := ""
	for _, r := range f.rules {
		if r.PoisonEventType == eventType && mode != PoisonBatch {
			mode = r.PoisonMode
		}
	}
	return mode
}

// WriteStatus answers with the rule's status, Retry-After and body (the
// rule's body verbatim, else a JSON error).
func (p Plan) WriteStatus(w http.ResponseWriter) {
	if p.retryAfter != "" {
		w.Header().Set("Retry-After", p.retryAfter)
	}
	if p.body == "" {
		reply.Error(w, p.Status, fmt.Sprintf("injected fault: %d %s", p.Status, http.StatusText(p.Status)))
		return
	}
	ct := "text/plain; charset=utf-8"
	if json.Valid([]byte(p.body)) {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(p.Status)
	w.Write([]byte(p.body))
}
