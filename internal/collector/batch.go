package collector

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// result is one command's outcome in a batch response.
type result struct {
	Success bool     `json:"success"`
	Errors  []string `json:"errors,omitempty"`
	Time    *float64 `json:"time,omitempty"`
}

// batchResponse is the body of a successful batch request.
type batchResponse struct {
	Results   []result `json:"results"`
	Success   bool     `json:"success"`
	StartTime float64  `json:"start_time"`
	EndTime   float64  `json:"end_time"`
}

// errPoisoned is the per-command error of a poisoned event.
const errPoisoned = "poisoned"

// batch handles POST .../batch: validate every command, refuse the whole
// batch only for bad JSON, too many commands or a batch-mode poison, and
// store the valid commands in one transaction.
func (s *Server) batch(req trackRequest) {
	start := unixSeconds(s.cfg.Now())
	var body struct {
		Commands *[]json.RawMessage `json:"commands"`
	}
	if err := json.Unmarshal(req.body, &body); err != nil {
		writeError(req.w, http.StatusBadRequest, "malformed JSON: "+err.Error())
		return
	}
	if body.Commands == nil {
		writeError(req.w, http.StatusBadRequest, "commands: must be an array")
		return
	}
	cmds := *body.Commands
	if len(cmds) > MaxCommands {
		writeError(req.w, http.StatusBadRequest,
			fmt.Sprintf("commands: at most %d commands per request, got %d", MaxCommands, len(cmds)))
		return
	}

	results := make([]result, len(cmds))
	var recs []record
	var recIndex []int // results index of each record
	for i, raw := range cmds {
		name, rec, errs := parseCommand(raw, start)
		switch {
		case len(errs) > 0:
			results[i] = result{Errors: errs}
		case name == cmdTime:
			results[i] = result{Success: true, Time: s.timeNow()}
		case name == cmdEvent && s.faults.poisoned(rec.eventType) == poisonBatch:
			writeError(req.w, http.StatusBadRequest, "poisoned command in batch")
			return
		case name == cmdEvent && s.faults.poisoned(rec.eventType) == poisonCommand:
			results[i] = result{Errors: []string{errPoisoned}}
		default:
			recs = append(recs, rec)
			recIndex = append(recIndex, i)
		}
	}
	if ok := s.commit(req, write{records: recs, receivedAt: start, commands: len(cmds)}); !ok {
		return
	}
	for _, i := range recIndex {
		results[i] = result{Success: true} // stored now, or already stored: both are a success
	}
	req.respond(batchResponse{Results: results, Success: true, StartTime: start, EndTime: unixSeconds(s.cfg.Now())})
}

// single handles POST .../customers/events and .../customers, whose body is
// one command's data object. There is no command_id, so nothing is deduped.
func (s *Server) single(req trackRequest, kind string) {
	now := unixSeconds(s.cfg.Now())
	rec, errs := parseData(kind, req.body, now)
	if len(errs) == 0 && kind == cmdEvent && s.faults.poisoned(rec.eventType) != "" {
		errs = []string{errPoisoned}
	}
	if len(errs) > 0 {
		writeJSON(req.w, http.StatusBadRequest, errorsBody{Errors: errs})
		return
	}
	if ok := s.commit(req, write{records: []record{rec}, receivedAt: now, commands: 1}); !ok {
		return
	}
	req.respond(struct {
		Success bool `json:"success"`
	}{true})
}
