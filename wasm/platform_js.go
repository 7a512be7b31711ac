//go:build js && wasm

package main

import (
	"context"
	"math/rand/v2"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/idbstore"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/sdk"
	"github.com/google/uuid"
)

// platform is the browser the SDK runs in, a Worker's or a page's.
func platform(out sdk.Out) sdk.Platform {
	return sdk.Platform{
		OpenStore: func(ctx context.Context, name string) (queue.Store, error) { return idbstore.Open(ctx, name) },
		NewSender: func(endpoint, authorization string) flush.Sender {
			return browser.Fetch{URL: endpoint, Authorization: authorization}
		},
		WithLock:    browser.WithLock,
		JoinTabs:    func(name string, onChange func()) sdk.Tabs { return browser.NewChannel(name, onChange) },
		Device:      browser.ReadDevice(),
		MemoryBytes: browser.WasmMemory,
		Online:      browser.Online,
		Clock:       sdk.SystemClock{},
		Jitter:      rand.Float64,
		NewID:       uuid.NewString,
		Log:         console{},
		Out:         out,
	}
}

// console is the sdk.Log of the browser's console.
type console struct{}

func (console) Warn(msg string)  { browser.ConsoleWarn(msg) }
func (console) Error(msg string) { browser.ConsoleError(msg) }
func (console) Debug(msg string) { browser.ConsoleLog(msg) }
