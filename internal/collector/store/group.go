package store

import (
	"sync"
	"sync/atomic"
	"time"
)

// MaxGroup bounds the jobs committed together, so one transaction (and
// the wait of its first job) stays short however many requests queue up.
const MaxGroup = 64

// GatherWait is the longest a group waits for the jobs of requests that
// are being read (see Group.Expect) before it commits without them.
const GatherWait = time.Millisecond

// Group hands jobs from many goroutines to one committer, which takes
// every job waiting and commits them together (group commit): requests
// that arrive while a transaction commits share the next one, and its
// fsync. A backend's writer runs Run; submitters are answered by the
// commit function, after the commit, so that a 200 still means durable.
type Group[J any] struct {
	jobs    chan J
	coming  atomic.Int32 // requests that will submit a job soon (Expect)
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// NewGroup returns a Group; Run must be started for it to take jobs.
func NewGroup[J any]() *Group[J] {
	return &Group[J]{jobs: make(chan J), quit: make(chan struct{}), stopped: make(chan struct{})}
}

// Expect announces a job that will come soon: a request whose body is
// being read. Every Expect is matched by one Unexpect, or by a Submit
// with expected set. While jobs are announced, a group waits for them up
// to GatherWait: they then share its transaction (and its fsync) instead
// of each paying for the next, which is most of the cost per job when
// requests arrive together.
func (g *Group[J]) Expect() { g.coming.Add(1) }

// Unexpect withdraws an Expect whose request will not store anything.
func (g *Group[J]) Unexpect() { g.coming.Add(-1) }

// Submit hands j to the committer, and reports false if it has stopped.
// expected says that the submitter called Expect before.
func (g *Group[J]) Submit(j J, expected bool) bool {
	ok := true
	select {
	case g.jobs <- j:
	case <-g.stopped:
		ok = false
	}
	if expected {
		g.Unexpect() // handed over (or refused): no longer to wait for
	}
	return ok
}

// Run calls commit with each group of jobs until Stop.
func (g *Group[J]) Run(commit func([]J)) {
	defer close(g.stopped)
	for {
		var first J
		select {
		case first = <-g.jobs:
		case <-g.quit:
			return
		}
		commit(g.gather(first))
	}
}

// Stop lets Run finish the group in hand and end.
func (g *Group[J]) Stop() {
	g.once.Do(func() { close(g.quit) })
	<-g.stopped
}

// gather returns first and the jobs that are waiting, and those that come
// within GatherWait while more are expected.
func (g *Group[J]) gather(first J) []J {
	batch := []J{first}
	for len(batch) < MaxGroup {
		select {
		case j := <-g.jobs:
			batch = append(batch, j)
			continue
		default:
		}
		break
	}
	if len(batch) == MaxGroup || g.coming.Load() <= 0 {
		return batch
	}
	t := time.NewTimer(GatherWait)
	defer t.Stop()
	for len(batch) < MaxGroup && g.coming.Load() > 0 {
		select {
		case j := <-g.jobs:
			batch = append(batch, j)
		case <-t.C:
			return batch
		}
	}
	return batch
}
