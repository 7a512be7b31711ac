package session_test

import (
	"fmt"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/session"
)

// shown is what a tab runs when it is shown: the transition inside
// UpdateState, so that it sees the latest state every tab has written.
func shown(store queue.Store, cfg session.Config, now float64) []session.Event {
	var evs []session.Event
	store.UpdateState(ctxlite.Background(), session.StateKey, func(old string, ok bool) (string, bool) {
		s, _ := session.Decode(old)
		s, evs = session.Shown(cfg, s, now)
		v := s.Encode()
		return v, v != old
	})
	return evs // track these once UpdateState has returned without error
}

func Example() {
	cfg := session.Config{Timeout: time.Minute, Automatic: true}
	store := queue.NewMemory()
	t0 := 1764320000000.0

	for _, e := range shown(store, cfg, t0) { // first tab
		fmt.Println(e.Kind, e.AtMs-t0)
	}
	fmt.Println(len(shown(store, cfg, t0+10))) // second tab: same session
	// Both tabs closed at t0+10; the visitor comes back an hour later.
	for _, e := range shown(store, cfg, t0+3_600_000) {
		fmt.Println(e.Kind, e.AtMs-t0, e.DurationSec)
	}
	fmt.Println(session.HeartbeatInterval(cfg))
	// Output:
	// session_start 0
	// 0
	// session_end 10 0.01
	// session_start 3.6e+06 0
	// 30s
}
