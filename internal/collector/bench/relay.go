package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/relay/relaytest"
)

// Takeover is the outcome of the relay takeover check.
type Takeover struct {
	Commands   int // commands acknowledged by the relays
	ByA, ByB   int // commands the upstream got from relay a, from relay b
	Twice      int // commands the upstream got twice
	Undoc      int // commands it got twice, or more, otherwise than first from a, then once from b
	Lost       int // acknowledged commands the upstream never got
	Left       int // rows left in the outbox
	AfterKill  time.Duration
	LeaseUsed  time.Duration
	Unfinished bool // the outbox was not empty 60 s after the kill
}

// OK reports whether nothing was lost or left, and every duplicate is the
// documented one.
func (r Takeover) OK() bool { return r.Lost == 0 && r.Undoc == 0 && r.Left == 0 && !r.Unfinished }

func (r Takeover) String() string {
	return fmt.Sprintf("relay takeover: 2 relays on one outbox (lease %v), relay a killed mid-send, an upstream that does not dedupe: "+
		"%d commands, %d delivered by a, %d by b; %d delivered twice (each first by a, then once by b: a's claims, taken over "+
		"after the lease), %d other duplicates, %d lost, %d left; outbox empty %v after the kill",
		r.LeaseUsed, r.Commands, r.ByA, r.ByB, r.Twice, r.Undoc, r.Lost, r.Left, r.AfterKill.Round(100*time.Millisecond))
}

// upstream stands in for the Tracking API: it does not dedupe, answers
// each request after a delay (so that a relay always has requests on the
// wire), and tells the relays apart by the first segment of the path.
type upstream struct {
	mu    sync.Mutex
	got   map[string][]string // command id → the relays that delivered it, in order
	delay time.Duration
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ids, err := relaytest.CommandIDs(r)
	if err != nil {
		http.Error(w, "bad", 400)
		return
	}
	who := relaytest.Who(r)
	u.mu.Lock()
	for _, id := range ids {
		u.got[id] = append(u.got[id], who)
	}
	u.mu.Unlock()
	time.Sleep(u.delay)
	relaytest.Accept(w, len(ids))
}

// relayTakeover starts two relays (collectors with -forward) on one
// database, posts batches to relay a, kills a with SIGKILL while it has
// requests on the wire, and waits for b to empty the outbox.
func relayTakeover(ctx context.Context, bin, url string) (Takeover, error) {
	const lease = 2 * time.Second
	r := Takeover{LeaseUsed: lease}
	if err := freshDatabase(ctx, url); err != nil {
		return r, err
	}
	up := &upstream{got: map[string][]string{}, delay: 200 * time.Millisecond}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return r, err
	}
	hs := &http.Server{Handler: up}
	go hs.Serve(ln)
	defer hs.Close()
	relayArgs := func(who string) []string {
		return []string{"-forward", "http://" + ln.Addr().String() + "/" + who, "-forward-key", "kid:secret",
			"-outbox-lease", lease.String()}
	}
	a, err := start(ctx, bin, url, relayArgs("a")...)
	if err != nil {
		return r, err
	}
	b, err := start(ctx, bin, url, relayArgs("b")...)
	if err != nil {
		a.kill()
		return r, err
	}
	defer b.stop()
	// 40 batches of 50 to relay a; b learns of them from the outbox.
	hc := newHTTPClient(4)
	var ids []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(uint64(2000 + i))
			for range 10 {
				batchIDs, body := c.batch()
				if post(ctx, hc, batchURL(a.url), body) == nil {
					mu.Lock()
					ids = append(ids, batchIDs...)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	r.Commands = len(ids)
	// a dies with requests on the wire, once it has delivered a few.
	for deadline := time.Now().Add(30 * time.Second); ; {
		up.mu.Lock()
		byA := 0
		for _, who := range up.got {
			if who[0] == "a" {
				byA++
			}
		}
		up.mu.Unlock()
		if byA >= 300 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.kill()
	killed := time.Now()
	for {
		n, err := outboxLen(ctx, url)
		if err != nil {
			return r, err
		}
		if r.Left = n; n == 0 {
			break
		}
		if time.Since(killed) > time.Minute {
			r.Unfinished = true
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.AfterKill = time.Since(killed)
	up.mu.Lock()
	defer up.mu.Unlock()
	for _, id := range ids {
		got := up.got[id]
		switch {
		case len(got) == 0:
			r.Lost++
			continue
		case len(got) > 1:
			r.Twice++
			if len(got) != 2 || got[0] != "a" || got[1] != "b" {
				r.Undoc++
			}
		}
		for _, who := range got {
			if who == "a" {
				r.ByA++
			} else {
				r.ByB++
			}
		}
	}
	return r, nil
}
