package ingest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/faults"
	"github.com/exponea-wasm/tracker/internal/collector/reply"
	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// errPoisoned is the per-command error of a poisoned event.
const errPoisoned = "poisoned"

// batch handles POST .../batch: validate every command, refuse the whole
// batch only for bad JSON, too many commands or a batch-mode poison, and
// store the valid commands in one transaction.
func (s *Handler) batch(req trackRequest) {
	start := unixSeconds(s.cfg.Now())
	cmds, cmdErrs, err := wire.ParseBatch(req.body)
	if err != nil {
		reply.Error(req.w, http.StatusBadRequest, err.Error())
		return
	}
	if len(cmds) > wire.MaxCommands {
		reply.Error(req.w, http.StatusBadRequest,
			fmt.Sprintf("commands: at most %d commands per request, got %d", wire.MaxCommands, len(cmds)))
		return
	}

	results := make([]wire.Result, len(cmds))
	var recs []store.Record
	var recIndex []int // results index of each record
	for i, c := range cmds {
		name, rec, errs := c.Name, toRecord(c, start), cmdErrs[i]
		poison := ""
		if name == wire.CommandEvent && len(errs) == 0 {
			poison = s.cfg.Faults.Poisoned(rec.EventType)
		}
		switch {
		case len(errs) > 0:
			results[i] = wire.Result{Errors: errs}
		case name == wire.CommandTime:
			results[i] = wire.Result{OK: true, Time: unixSeconds(s.cfg.Now())}
		case poison == faults.PoisonBatch:
			reply.Error(req.w, http.StatusBadRequest, "poisoned command in batch")
			return
		case poison == faults.PoisonCommand:
			results[i] = wire.Result{Errors: []string{errPoisoned}}
		default:
			recs = append(recs, rec)
			recIndex = append(recIndex, i)
		}
	}
	if ok := s.commit(req, store.Write{Records: recs, ReceivedAt: start, Commands: len(cmds)}); !ok {
		return
	}
	for _, i := range recIndex {
		results[i] = wire.Result{OK: true} // stored now, or already stored: both are a success
	}
	req.respondRaw(wire.AppendResponse(nil, results, start, unixSeconds(s.cfg.Now())))
}

// single handles POST .../customers/events and .../customers, whose body is
// one command's data object. There is no command_id, so nothing is deduped.
func (s *Handler) single(req trackRequest, kind string) {
	now := unixSeconds(s.cfg.Now())
	rec, errs := parseData(kind, req.body, now)
	if len(errs) == 0 && kind == wire.CommandEvent && s.cfg.Faults.Poisoned(rec.EventType) != "" {
		errs = []string{errPoisoned}
	}
	if len(errs) > 0 {
		reply.JSON(req.w, http.StatusBadRequest, reply.Errors{Errors: errs})
		return
	}
	if ok := s.commit(req, store.Write{Records: []store.Record{rec}, ReceivedAt: now, Commands: 1}); !ok {
		return
	}
	req.respond(struct {
		Success bool `json:"success"`
	}{true})
}

// unixSeconds is the wire representation of a time: float seconds, to the
// microsecond (about all a float64 holds beside ten integer digits).
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond()/1000)/1e6
}
