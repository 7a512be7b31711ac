package sdk

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
)

// The SDKs of one runtime's pages send one at a time under its lock, and
// take the origin's lock (Outer) inside it when there is one.
func TestLocksExcludeThePagesOfARuntime(t *testing.T) {
	for _, outer := range []string{"none", "web locks", "no web locks"} {
		t.Run(outer, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var l Locks
				var outerCalls atomic.Int32
				switch outer {
				case "web locks":
					l.Outer = func(_ ctxlite.Context, _ string, fn func()) (bool, error) { outerCalls.Add(1); fn(); return true, nil }
				case "no web locks":
					l.Outer = func(ctxlite.Context, string, func()) (bool, error) { outerCalls.Add(1); return false, nil }
				}
				var inside, most atomic.Int32
				var wg sync.WaitGroup
				for range 5 {
					wg.Go(func() {
						held, err := l.WithLock(ctxlite.Background(), "send", func() {
							n := inside.Add(1)
							if n > most.Load() {
								most.Store(n)
							}
							time.Sleep(time.Second)
							inside.Add(-1)
						})
						if !held || err != nil {
							t.Errorf("held %v, err %v", held, err)
						}
					})
				}
				wg.Wait()
				if most.Load() != 1 {
					t.Errorf("%d sends at once, want 1", most.Load())
				}
				if want := map[string]int32{"none": 0, "web locks": 5, "no web locks": 5}[outer]; outerCalls.Load() != want {
					t.Errorf("Outer taken %d times, want %d", outerCalls.Load(), want)
				}
			})
		})
	}
}

// A wait for the lock ends with its context; the lock is still free for
// the next.
func TestLocksWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var l Locks
		release := make(chan struct{})
		go l.WithLock(ctxlite.Background(), "send", func() { <-release })
		synctest.Wait()
		ctx, cancel := ctxlite.Timeout(ctxlite.Background(), time.Second)
		defer cancel()
		ran := false
		if _, err := l.WithLock(ctx, "send", func() { ran = true }); err == nil || ran {
			t.Fatalf("err %v, ran %v: want the wait to end with the context", err, ran)
		}
		close(release)
		synctest.Wait()
		if _, err := l.WithLock(ctxlite.Background(), "send", func() { ran = true }); err != nil || !ran {
			t.Fatalf("err %v, ran %v after the holder let go", err, ran)
		}
		if _, err := l.WithLock(ctxlite.Background(), "other", func() {}); err != nil {
			t.Fatal(err)
		}
	})
}
