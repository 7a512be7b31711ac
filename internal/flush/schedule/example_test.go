package schedule_test

import (
	"fmt"
	"time"

	"github.com/exponea-wasm/tracker/internal/flush/schedule"
)

func Example() {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := schedule.New(schedule.ModePeriod, time.Minute)
	show := func(t schedule.Trigger, at time.Duration, online bool) {
		d := s.On(t, start.Add(at), online)
		fmt.Println(at, d.Flush, d.Wake.Sub(start))
	}
	show(schedule.Timer, 0, true)                // the period starts: wake in a minute
	show(schedule.Tracked, 30*time.Second, true) // mid-period: nothing to send
	show(schedule.Tracked, time.Minute, true)    // the boundary is reached: send
	show(schedule.Timer, time.Minute, true)      // the same boundary: already sent
	show(schedule.Timer, 2*time.Minute, false)   // offline: the send waits for Online
	show(schedule.Online, 2*time.Minute+time.Second, true)
	// Output:
	// 0s false 1m0s
	// 30s false 1m0s
	// 1m0s true 2m0s
	// 1m0s false 2m0s
	// 2m0s false 3m0s
	// 2m1s true 3m0s
}
