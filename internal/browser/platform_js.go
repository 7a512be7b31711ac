//go:build js && wasm

package browser

import (
	"math/rand/v2"

	"github.com/google/uuid"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/idbstore"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/sdk"
)

// Platform is the browser the SDK runs in, a Worker's or a page's, with
// the queue in IndexedDB (internal/idbstore); out gets what the SDK says.
func Platform(out sdk.Out) sdk.Platform {
	return sdk.Platform{
		OpenStore: func(ctx ctxlite.Context, name string) (queue.Store, error) { return idbstore.Open(ctx, name) },
		NewSender: func(endpoint, authorization string) flush.Sender {
			return Fetch{URL: endpoint, Authorization: authorization}
		},
		WithLock:    WithLock,
		JoinTabs:    func(name string, onMessage func(string)) sdk.Tabs { return NewChannel(name, onMessage) },
		Device:      ReadDevice(),
		MemoryBytes: WasmMemory,
		Online:      Online,
		Clock:       sdk.SystemClock,
		Jitter:      rand.Float64,
		NewID:       uuid.NewString,
		Log:         consoleLog{},
		Out:         out,
	}
}

// consoleLog is the sdk.Log of the browser's console.
type consoleLog struct{}

func (consoleLog) Warn(msg string)  { ConsoleWarn(msg) }
func (consoleLog) Error(msg string) { ConsoleError(msg) }
func (consoleLog) Debug(msg string) { ConsoleLog(msg) }
