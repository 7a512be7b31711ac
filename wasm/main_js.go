//go:build js && wasm

package main

import (
	"runtime/debug"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/google/uuid"
	"github.com/hack-pad/safejs"
)

func main() {
	// Record ids and cookies are UUID v4 from crypto.getRandomValues; the
	// pool takes 16 ids' worth of randomness per call into the browser.
	uuid.EnableRandPool()
	// Keep the heap small: wasm linear memory never shrinks, so its size is
	// set by the heap's highest peak. The live heap is a few MB (records
	// are read and sent 50 at a time; bursts arrive in pieces of 500 calls),
	// and an 11 MiB soft limit makes the collector run before garbage
	// piles up: 100,000 events tracked 10,000 at a time leave 15 MB of
	// linear memory instead of 19 MB, for more collections in the Worker.
	debug.SetMemoryLimit(11 << 20)
	b, err := newBridge()
	if err == nil {
		err = b.boot()
	}
	if err != nil {
		browser.ConsoleError("could not start: " + err.Error())
		return
	}
	go b.work()
	select {}
}

// boot hands the apply function to the loader, which answers with its done
// and emit callbacks (see doc.go). The loader defines __exponeaBoot just
// before it starts this program.
func (b *bridge) boot() error {
	g := safejs.Global()
	fn, err := g.Get("__exponeaBoot")
	if err != nil {
		return err
	}
	if fn.Type() != safejs.TypeFunction {
		return browser.ErrUnavailable
	}
	hooks, err := fn.Invoke(b.apply.Value())
	if err != nil {
		return err
	}
	if b.done, err = hooks.Get("done"); err != nil {
		return err
	}
	b.emit, err = hooks.Get("emit")
	return err
}
