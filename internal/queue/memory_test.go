package queue_test

import (
	"context"
	"errors"
	"testing"

	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/queue/queuetest"
)

func TestMemoryStoreContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queue.Store { return queue.NewMemory() })
}

func TestMemoryQuota(t *testing.T) {
	m := queue.NewMemory()
	m.SetQuota(1)
	ctx := context.Background()
	if _, err := m.Append(ctx, []queue.Record{{ID: "a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Append(ctx, []queue.Record{{ID: "b"}}); !errors.Is(err, queue.ErrQuota) {
		t.Fatalf("got %v, want ErrQuota", err)
	}
	if n, _, _ := m.Count(ctx); n != 1 {
		t.Fatalf("count %d after a refused append, want 1", n)
	}
}
