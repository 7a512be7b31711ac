package sdk

import (
	"errors"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/queue/queuetest"
)

// A handle is a store like any other, with the optional interfaces of the
// store it shares (and only those), and fails with ErrClosed once closed.
func TestStoreHandleContract(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func() queue.Store
	}{
		{"with snapshot and delete-then-oldest", func() queue.Store { return queue.NewMemory() }},
		{"plain", func() queue.Store { return struct{ queue.Store }{queue.NewMemory()} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			queuetest.Run(t, func(t *testing.T) queue.Store {
				st := &Stores{Open: func(ctxlite.Context, string) (queue.Store, error) { return tc.open(), nil }}
				h, err := st.OpenStore(ctxlite.Background(), "db")
				if err != nil {
					t.Fatal(err)
				}
				_, snap := h.(queue.Snapshotter)
				_, dr := h.(queue.DeleteReader)
				if want := tc.name != "plain"; snap != want || dr != want {
					t.Fatalf("handle: Snapshotter %v, DeleteReader %v, want %v", snap, dr, want)
				}
				return h
			})
		})
	}
}

// The SDKs of one runtime share one connection per database: opened by
// the first, and left open after the last closes, for the next page of a
// visit; opened again after an SDK gave it up.
func TestStoresShareOneConnectionPerName(t *testing.T) {
	ctx := ctxlite.Background()
	var opened []*queue.Memory
	st := &Stores{Open: func(_ ctxlite.Context, name string) (queue.Store, error) {
		if name == "broken" {
			return nil, errors.New("blocked")
		}
		m := queue.NewMemory()
		opened = append(opened, m)
		return m, nil
	}}
	a, _ := st.OpenStore(ctx, "db")
	b, _ := st.OpenStore(ctx, "db")
	other, _ := st.OpenStore(ctx, "other")
	if len(opened) != 2 {
		t.Fatalf("opened %d stores for two handles on db and one on other, want 2", len(opened))
	}
	if _, err := a.Append(ctx, []queue.Record{{ID: "r", Body: "{}"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Len(ctx); err != nil || n != 1 {
		t.Fatalf("the second handle sees %d records (%v), want the first's 1", n, err)
	}
	a.Close()
	a.Close() // twice: one reference dropped
	if _, err := a.Len(ctx); !errors.Is(err, queue.ErrClosed) {
		t.Errorf("a closed handle: %v, want ErrClosed", err)
	}
	if n, err := b.Len(ctx); err != nil || n != 1 || opened[0].Closed() {
		t.Fatalf("after the first handle closed, the second: %d, %v (store closed: %v)", n, err, opened[0].Closed())
	}
	b.Close()
	if opened[0].Closed() {
		t.Fatal("the store was closed with its last handle: the next page of a visit would wait for it to open again")
	}
	c, _ := st.OpenStore(ctx, "db")
	if len(opened) != 2 {
		t.Fatalf("a handle after the last closed opened the store again (%d opened)", len(opened))
	}
	if n, err := c.Len(ctx); err != nil || n != 1 {
		t.Fatalf("the next SDK's handle sees %d records (%v), want 1", n, err)
	}
	// An SDK whose start failed in the store gives it up: the next opens
	// its own, and the one given up closes with its last handle.
	keep, _ := st.OpenStore(ctx, "db")
	c.(interface{ Discard() }).Discard()
	c.Close()
	if opened[0].Closed() {
		t.Fatal("the store given up on closed while another handle held it")
	}
	fresh, _ := st.OpenStore(ctx, "db")
	if len(opened) != 3 {
		t.Fatalf("a handle after one was given up shares it (%d opened)", len(opened))
	}
	keep.Close()
	if !opened[0].Closed() {
		t.Fatal("the store given up on stayed open after its last handle closed")
	}
	fresh.Close()
	c, _ = st.OpenStore(ctx, "db")
	if len(opened) != 3 {
		t.Fatalf("the new store was not kept for the next SDK (%d opened)", len(opened))
	}
	// The browser closed the connection (a version change): the next SDK
	// gets a new one, and closing the old handles leaves it open.
	opened[2].Close()
	d, _ := st.OpenStore(ctx, "db")
	if len(opened) != 4 {
		t.Fatalf("a store the browser closed was shared again (%d opened)", len(opened))
	}
	c.Close()
	if opened[3].Closed() {
		t.Fatal("closing a handle on the old connection closed the new one")
	}
	if n, err := d.Len(ctx); err != nil || n != 0 {
		t.Fatalf("the new connection's handle: %d, %v", n, err)
	}
	if _, err := st.OpenStore(ctx, "broken"); err == nil {
		t.Fatal("an open that failed gave a handle")
	}
	d.Close()
	other.Close()
}

// earlyStore is a store the worker began opening while the wasm compiled.
type earlyStore struct{ *queue.Memory }

func (earlyStore) OpenedEarly() bool { return true }

// Only the SDK whose start opened the store says it found it opened early:
// the next pages of a visit find it open already.
func TestOnlyTheHandleThatOpenedTheStoreFoundItOpenedEarly(t *testing.T) {
	ctx := ctxlite.Background()
	st := &Stores{Open: func(ctxlite.Context, string) (queue.Store, error) { return earlyStore{queue.NewMemory()}, nil }}
	a, _ := st.OpenStore(ctx, "db")
	if !openedEarly(a) {
		t.Fatal("the first handle does not say the store was opened early")
	}
	a.Close()
	b, _ := st.OpenStore(ctx, "db")
	if openedEarly(b) {
		t.Fatal("the next SDK, which found the store open, says it was opened early")
	}
	b.Close()
}
