// Package ctxlite is the SDK's own, smaller context: Context is the part of
// context.Context the SDK uses — Done and Err, no Deadline, no Value — and
// the functions here make the few contexts it needs (one that ends after a
// timeout, one its creator cancels, one that ignores its parent's end).
//
// Why not context.Context: its Deadline method returns a time.Time, and any
// use of the interface keeps time.Time's String and formatting methods in a
// wasm binary; the standard contexts' own String methods add reflection.
// That is ~100 KB of WebAssembly for nothing the SDK shows. A
// context.Context satisfies Context, so callers pass either.
package ctxlite

import (
	"context"
	"sync"
	"time"
)

// Context carries the end of a call: when it is done, and why (Err is
// context.Canceled or context.DeadlineExceeded, or the parent's).
type Context interface {
	Done() <-chan struct{}
	Err() error
}

// Background is a Context that never ends.
func Background() Context { return never{} }

type never struct{}

func (never) Done() <-chan struct{} { return nil }
func (never) Err() error            { return nil }

// ctx is a context that ends once: after a timer, by its cancel function,
// or when its parent ends.
type ctx struct {
	parent Context

	once sync.Once
	done chan struct{}
	mu   sync.Mutex
	err  error
}

func (c *ctx) Done() <-chan struct{} { return c.done }

func (c *ctx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *ctx) end(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	})
}

// watch ends c when parent ends, until stop is closed.
func (c *ctx) watch(stop <-chan struct{}) {
	if c.parent.Done() == nil {
		return
	}
	go func() {
		select {
		case <-c.parent.Done():
			c.end(c.parent.Err())
		case <-stop:
		}
	}()
}

// Timeout returns a context that ends after d with
// context.DeadlineExceeded (or when parent ends, with its error), and the
// function that ends it at once with context.Canceled; call it when done.
func Timeout(parent Context, d time.Duration) (Context, func()) {
	c := &ctx{parent: parent, done: make(chan struct{})}
	t := time.AfterFunc(d, func() { c.end(context.DeadlineExceeded) })
	c.watch(c.done)
	return c, func() {
		t.Stop()
		c.end(context.Canceled)
	}
}

// Cancel returns a context that ends when the function returned with it
// is called (context.Canceled), or when parent ends.
func Cancel(parent Context) (Context, func()) {
	c := &ctx{parent: parent, done: make(chan struct{})}
	c.watch(c.done)
	return c, func() { c.end(context.Canceled) }
}

// Detach returns a context that never ends, for work that must finish
// even if the caller of the work around it gave up.
func Detach(Context) Context { return never{} }

// Std returns a context.Context that ends when c does, for APIs that take
// one (net/http on the server side), and the function that releases it;
// call it when done. A c that is already a context.Context is returned as
// it is.
func Std(c Context) (context.Context, func()) {
	if sc, ok := c.(context.Context); ok {
		return sc, func() {}
	}
	sc, cancel := context.WithCancel(context.Background())
	if c.Done() != nil {
		go func() {
			select {
			case <-c.Done():
				cancel()
			case <-sc.Done():
			}
		}()
	}
	return sc, cancel
}
