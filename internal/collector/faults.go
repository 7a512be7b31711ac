package collector

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// faultRule is one fault-injection rule, as posted to /api/faults.
type faultRule struct {
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
	poisonCommand = "command"
	poisonBatch   = "batch"
)

// validate checks the rule; a delay must end before the server's
// WriteTimeout would cut the answer.
func (r *faultRule) validate(writeTimeout time.Duration) error {
	maxDelay := int(writeTimeout/time.Millisecond) - 1000
	switch {
	case r.Status != 0 && (r.Status < 200 || r.Status > 599):
		return errors.New("status: must be between 200 and 599")
	case r.Times < 0:
		return errors.New("times: must be >= 0")
	case r.DelayMS < 0 || r.DelayMS > maxDelay:
		return fmt.Errorf("delay_ms: must be between 0 and %d (the write timeout less a second)", maxDelay)
	case r.PoisonMode != "" && r.PoisonMode != poisonCommand && r.PoisonMode != poisonBatch:
		return errors.New(`poison_mode: must be "command" or "batch"`)
	case r.PoisonMode != "" && r.PoisonEventType == "":
		return errors.New("poison_mode: needs poison_event_type")
	case r.Status == 0 && r.DelayMS == 0 && !r.Drop && !r.StoreThenDrop && r.PoisonEventType == "":
		return errors.New("rule does nothing: set status, delay_ms, drop, store_then_drop or poison_event_type")
	}
	if r.PoisonEventType != "" && r.PoisonMode == "" {
		r.PoisonMode = poisonCommand
	}
	return nil
}

// faults holds the rules; every method is safe for concurrent use.
type faults struct {
	mu    sync.Mutex
	rules []faultRule
}

func (f *faults) add(r faultRule) []faultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, r)
	return f.listLocked()
}

func (f *faults) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

func (f *faults) list() []faultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listLocked()
}

func (f *faults) listLocked() []faultRule {
	return append([]faultRule{}, f.rules...)
}

// faultPlan is what the rules do to one tracking request.
type faultPlan struct {
	delay         time.Duration
	status        int
	retryAfter    string
	body          string
	drop          bool
	storeThenDrop bool
}

// next consumes the rules for one tracking request. Rules apply in order:
// delays add up, and the first rule with an outcome (status, drop or
// store_then_drop) decides it and ends the walk, so the rules after it are
// not used up. A rule with times counts down each request it applied to and
// is removed at zero. Poison rules are skipped here: see poisoned.
func (f *faults) next() faultPlan {
	var p faultPlan
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
		p.delay += time.Duration(r.DelayMS) * time.Millisecond
		switch {
		case r.Drop:
			p.drop, decided = true, true
		case r.StoreThenDrop:
			p.storeThenDrop, decided = true, true
		case r.Status != 0:
			p.status, p.retryAfter, p.body, decided = r.Status, r.RetryAfter, r.Body, true
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

// poisoned returns the poison mode for eventType, or "" if it is not
// poisoned. "batch" wins over "command" when both rules exist.
func (f *faults) poisoned(eventType string) string {
	if f == nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	mode := ""
	for _, r := range f.rules {
		if r.PoisonEventType == eventType && mode != poisonBatch {
			mode = r.PoisonMode
		}
	}
	return mode
}

// writeStatus answers with the rule's status, Retry-After and body (the
// rule's body verbatim, else a JSON error).
func (p faultPlan) writeStatus(w http.ResponseWriter) {
	if p.retryAfter != "" {
		w.Header().Set("Retry-After", p.retryAfter)
	}
	if p.body == "" {
		writeError(w, p.status, fmt.Sprintf("injected fault: %d %s", p.status, http.StatusText(p.status)))
		return
	}
	ct := "text/plain; charset=utf-8"
	if json.Valid([]byte(p.body)) {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(p.status)
	w.Write([]byte(p.body))
}
