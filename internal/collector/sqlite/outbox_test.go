package sqlite

import (
	"testing"

	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/queue/queuetest"
)

// The outbox is a queue.Store like the SDK's own: it keeps the contract the
// flusher relies on.
func TestOutboxStoreContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queue.Store {
		st := open(t, "", Options{DedupeIDs: 100})
		// Another project's records share the table and stay out of view.
		other := &outboxStore{st: st, project: "other"}
		if _, err := other.Append(t.Context(), []queue.Record{{ID: "x", Kind: queue.KindEvent, Body: "{}"}}); err != nil {
			t.Fatal(err)
		}
		return &outboxStore{st: st, project: "p"}
	})
}
