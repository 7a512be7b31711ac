package collector

import (
	"fmt"
	"net/http"

	"github.com/exponea-wasm/tracker/internal/wire"
)

// errPoisoned is the per-command error of a poisoned event.
const errPoisoned = "poisoned"

// batch handles POST .../batch: validate every command, refuse the whole
// batch only for bad JSON, too many commands or a batch-mode poison, and
// store the valid commands in one transaction.
func (s *Server) batch(req trackRequest) {
	start := unixSeconds(s.cfg.Now())
	cmds, cmdErrs, err := wire.ParseBatch(req.body)
	if err != nil {
		writeError(req.w, http.StatusBadRequest, err.Error())
		return
	}
	if len(cmds) > wire.MaxCommands {
		writeError(req.w, http.StatusBadRequest,
			fmt.Sprintf("commands: at most %d commands per request, got %d", wire.MaxCommands, len(cmds)))
		return
	}

	results := make([]wire.Result, len(cmds))
	var recs []record
	var recIndex []int // results index of each record
	for i, c := range cmds {
		name, rec, errs := c.Name, toRecord(c, start), cmdErrs[i]
		switch {
		case len(errs) > 0:
			results[i] = wire.Result{Errors: errs}
		case name == wire.CommandTime:
			results[i] = wire.Result{OK: true, Time: unixSeconds(s.cfg.Now())}
		case name == wire.CommandEvent && s.faults.poisoned(rec.eventType) == poisonBatch:
			writeError(req.w, http.StatusBadRequest, "poisoned command in batch")
			return
		case name == wire.CommandEvent && s.faults.poisoned(rec.eventType) == poisonCommand:
			results[i] = wire.Result{Errors: []string{errPoisoned}}
		default:
			recs = append(recs, rec)
			recIndex = append(recIndex, i)
		}
	}
	if ok := s.commit(req, write{records: recs, receivedAt: start, commands: len(cmds)}); !ok {
		return
	}
	for _, i := range recIndex {
		results[i] = wire.Result{OK: true} // stored now, or already stored: both are a success
	}
	req.respondRaw(wire.AppendResponse(nil, results, start, unixSeconds(s.cfg.Now())))
}

// single handles POST .../customers/events and .../customers, whose body is
// one command's data object. There is no command_id, so nothing is deduped.
func (s *Server) single(req trackRequest, kind string) {
	now := unixSeconds(s.cfg.Now())
	rec, errs := parseData(kind, req.body, now)
	if len(errs) == 0 && kind == wire.CommandEvent && s.faults.poisoned(rec.eventType) != "" {
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
