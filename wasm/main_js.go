//go:build js && wasm

package main

import (
	"sync"

	"github.com/google/uuid"
	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/bridge"
	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/jsbytes"
	"github.com/exponea-wasm/tracker/internal/sdk"
)

func main() {
	// Record ids and cookies are UUID v4 from crypto.getRandomValues; the
	// pool takes 16 ids' worth of randomness per call into the browser.
	uuid.EnableRandPool()
	if err := boot(); err != nil {
		browser.ConsoleError("could not start: " + err.Error())
		return
	}
	select {}
}

// boot hands the loader the function that opens an SDK, and follows the
// network state of the global for every SDK open.
//
// The loader calls open once for its page in a dedicated Worker or on the
// page; a SharedWorker calls it for every page that connects, so the pages
// of an origin share one Go runtime, each with an SDK of its own.
func boot() error {
	var (
		mu     sync.Mutex
		open   = map[*sdk.SDK]bool{}
		locks  = &sdk.Locks{}  // a SharedWorker's pages send one at a time
		stores = &sdk.Stores{} // and share one IndexedDB connection
		outer  sync.Once
	)
	opener, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				browser.ConsoleError("open failed")
			}
		}()
		if len(args) == 0 {
			return nil
		}
		hooks := args[0]
		p := browser.Platform(nil)
		if shared, _ := hooks.Get("shared"); truthy(shared) {
			// The origin's Web Lock too where the first page says a lock held
			// here costs its pages nothing (sdk.Locks).
			outer.Do(func() {
				if web, _ := hooks.Get("webLocks"); truthy(web) {
					locks.Outer = browser.WithLock
				}
				stores.Open = p.OpenStore
			})
			p.WithLock = locks.WithLock
			p.OpenStore = stores.OpenStore
		}
		s, err := openSDK(hooks, p, func(s *sdk.SDK) {
			mu.Lock()
			delete(open, s)
			mu.Unlock()
		})
		if err != nil {
			browser.ConsoleError("open: " + err.Error())
			return nil
		}
		mu.Lock()
		open[s] = true
		mu.Unlock()
		return nil
	})
	if err != nil {
		return err
	}
	for _, ev := range []string{"online", "offline"} {
		online := ev == "online"
		if _, err := browser.Listen("window", ev, func() {
			mu.Lock()
			defer mu.Unlock()
			for s := range open {
				s.SetOnline(online)
			}
		}); err != nil {
			browser.ConsoleWarn("cannot listen to " + ev + ": " + err.Error())
		}
	}
	fn, err := safejs.Global().Get("__exponeaBoot")
	if err != nil {
		return err
	}
	if fn.Type() != safejs.TypeFunction {
		return browser.ErrUnavailable
	}
	_, err = fn.Invoke(opener.Value())
	return err
}

// openSDK starts an SDK on p that answers through hooks.done and
// hooks.emit (and hooks.flush, if given, delivers them at once), and sets hooks.apply (the page's calls, as lines) and
// hooks.close (ends the SDK: sdk.SDK.Close, or with true sdk.SDK.Finish);
// closed runs once it is closed.
func openSDK(hooks safejs.Value, p sdk.Platform, closed func(*sdk.SDK)) (*sdk.SDK, error) {
	out := &loader{}
	var err error
	if out.done, err = hooks.Get("done"); err != nil {
		return nil, err
	}
	if out.emit, err = hooks.Get("emit"); err != nil {
		return nil, err
	}
	out.flush, _ = hooks.Get("flush") // optional: undefined on the page
	p.Out = out
	s := sdk.New(p)
	apply, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				browser.ConsoleError("apply failed")
			}
		}()
		if len(args) == 0 {
			return nil
		}
		text, err := args[0].String()
		if err != nil {
			return nil
		}
		calls, bad := bridge.ParseCalls(jsbytes.Bytes(text)) // read only; the calls keep slices of text
		if bad > 0 {
			browser.ConsoleError("the loader sent unreadable calls")
		}
		s.Apply(calls)
		return nil
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	var end safejs.Func
	end, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				browser.ConsoleError("close failed")
			}
		}()
		if len(args) > 0 && truthy(args[0]) {
			s.Finish() // close(true): the page left its calls and close-time send to us
		} else {
			s.Close()
		}
		closed(s)
		// The loader drops both functions with this call; released, they
		// no longer keep the SDK.
		apply.Release()
		end.Release()
		return nil
	})
	if err != nil {
		apply.Release()
		s.Close()
		return nil, err
	}
	err = hooks.Set("apply", apply.Value())
	if err == nil {
		err = hooks.Set("close", end.Value())
	}
	if err != nil {
		end.Release()
		apply.Release()
		s.Close()
		return nil, err
	}
	return s, nil
}

func truthy(v safejs.Value) bool {
	b, err := v.Bool()
	return err == nil && b
}

// loader is the sdk.Out that hands answers and reports to the loader's
// hooks; flush, where the loader gives one (a worker's), posts at once
// what they gave.
type loader struct{ done, emit, flush safejs.Value }

func (l *loader) Flush() {
	if l.flush.Type() == safejs.TypeFunction {
		_, _ = l.flush.Invoke()
	}
}

func (l *loader) Answers(as []sdk.Answer) {
	if _, err := l.done.Invoke(jsbytes.String(bridge.AppendAnswers(nil, as))); err != nil {
		browser.ConsoleError("done: " + err.Error())
	}
}

func (l *loader) Report(kind string, detail []byte) {
	if _, err := l.emit.Invoke(kind, jsbytes.String(detail)); err != nil {
		browser.ConsoleError("emit: " + err.Error())
	}
}
