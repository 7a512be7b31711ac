package sqlite

import (
	"database/sql"
	"errors"
	"testing"
)

// TestGroupJobFailsAlone: jobs that share a transaction are undone one by
// one: a failing job rolls back its own writes and counts, the others
// commit, and each submitter learns its own outcome.
func TestGroupJobFailsAlone(t *testing.T) {
	st := open(t, "", Options{DedupeIDs: 100})
	// A writer of its own, driven by hand: commit runs one group.
	w := &writer{st: st, cache: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
	boom := errors.New("boom")
	afters := make([]error, 3)
	var jobs []*job
	for i, fail := range []bool{false, true, false} {
		jobs = append(jobs, &job{done: make(chan error, 1), after: func(err error) { afters[i] = err },
			run: func(g *group) error {
				if err := g.exec(`INSERT INTO counters (name, value) VALUES (?, 1)`, "job"+string(rune('0'+i))); err != nil {
					return err
				}
				g.count("jobs", 1)
				if fail {
					return boom
				}
				return nil
			}})
	}
	w.commit(jobs)
	for i, want := range []error{nil, boom, nil} {
		if got := <-jobs[i].done; !errors.Is(got, want) && got != want {
			t.Errorf("job %d: got %v, want %v", i, got, want)
		}
		if !errors.Is(afters[i], want) && afters[i] != want {
			t.Errorf("after %d: got %v, want %v", i, afters[i], want)
		}
	}
	for name, want := range map[string]int64{"job0": 1, "job1": 0, "job2": 1, "jobs": 2} {
		if got := counter(t, st, name); got != want {
			t.Errorf("%s: got %d, want %d", name, got, want)
		}
	}
}
