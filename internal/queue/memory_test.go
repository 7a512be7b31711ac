package queue_test

import (
	"testing"

	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/queue/queuetest"
)

func TestMemoryStoreContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queue.Store { return queue.NewMemory() })
}
