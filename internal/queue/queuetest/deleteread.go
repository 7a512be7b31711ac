package queuetest

import (
	"slices"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// deleteThenOldest checks queue.DeleteReader's contract, on stores that
// have it.
func deleteThenOldest(t *testing.T, open func(t *testing.T) queue.Store, ctx func(t *testing.T) ctxlite.Context) {
	// opened returns a fresh DeleteReader holding recs 0..n-1, and their seqs;
	// it skips a store that is no DeleteReader.
	opened := func(t *testing.T, n int) (queue.DeleteReader, ctxlite.Context, []int64) {
		t.Helper()
		s, ok := open(t).(queue.DeleteReader)
		if !ok {
			t.Skip("not a queue.DeleteReader")
		}
		c := ctx(t)
		var seqs []int64
		if n > 0 {
			in := make([]queue.Record, n)
			for i := range in {
				in[i] = rec(i)
			}
			stored, err := s.Append(c, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range stored {
				seqs = append(seqs, r.Seq)
			}
		}
		return s, c, seqs
	}
	idsOf := func(rs []queue.Record) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	left := func(t *testing.T, s queue.Store, c ctxlite.Context, want ...string) {
		t.Helper()
		got, err := s.Oldest(c, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.Len(c); err != nil || n != len(want) || !slices.Equal(idsOf(got), want) {
			t.Fatalf("left: %v (Len %d, %v), want %v", idsOf(got), n, err, want)
		}
	}
	t.Run("delete then oldest deletes, and reads the page after the cursor", func(t *testing.T) {
		s, c, seqs := opened(t, 9)
		// A confirmed batch (0-3) and the cursor at the end of the batch
		// sent after it (4-5).
		got, err := s.DeleteThenOldest(c, seqs[:4], seqs[5], 2)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"id-6", "id-7"}; !slices.Equal(idsOf(got), want) {
			t.Fatalf("read %v, want %v", idsOf(got), want)
		}
		left(t, s, c, "id-4", "id-5", "id-6", "id-7", "id-8")
	})
	t.Run("delete then oldest never reads a record it deleted", func(t *testing.T) {
		s, c, seqs := opened(t, 7)
		// The read starts before the deleted records (and between them):
		// they are gone from it.
		got, err := s.DeleteThenOldest(c, []int64{seqs[0], seqs[2], seqs[3], seqs[6]}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"id-1", "id-4", "id-5"}; !slices.Equal(idsOf(got), want) {
			t.Fatalf("read %v, want %v", idsOf(got), want)
		}
		got, err = s.DeleteThenOldest(c, []int64{seqs[4]}, seqs[1], 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"id-5"}; !slices.Equal(idsOf(got), want) {
			t.Fatalf("read %v, want %v", idsOf(got), want)
		}
		left(t, s, c, "id-1", "id-5")
	})
	t.Run("delete then oldest of everything leaves an empty queue", func(t *testing.T) {
		s, c, seqs := opened(t, 5)
		got, err := s.DeleteThenOldest(c, seqs, seqs[4], 50)
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want nothing", idsOf(got), err)
		}
		left(t, s, c)
		// Appending after it goes on after the deleted seqs.
		more, err := s.Append(c, []queue.Record{rec(9)})
		if err != nil {
			t.Fatal(err)
		}
		if more[0].Seq <= seqs[4] {
			t.Fatalf("seq %d after deleting up to %d", more[0].Seq, seqs[4])
		}
	})
	t.Run("delete then oldest on an empty queue", func(t *testing.T) {
		s, c, _ := opened(t, 0)
		for _, seqs := range [][]int64{nil, {1, 2, 42}} {
			got, err := s.DeleteThenOldest(c, seqs, 0, 50)
			if err != nil || len(got) != 0 {
				t.Fatalf("seqs %v: got %v, %v; want nothing", seqs, idsOf(got), err)
			}
		}
		left(t, s, c)
	})
	t.Run("delete then oldest with nothing to delete only reads", func(t *testing.T) {
		s, c, seqs := opened(t, 3)
		got, err := s.DeleteThenOldest(c, nil, seqs[0], 50)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"id-1", "id-2"}; !slices.Equal(idsOf(got), want) {
			t.Fatalf("read %v, want %v", idsOf(got), want)
		}
		left(t, s, c, "id-0", "id-1", "id-2")
	})
	t.Run("delete then oldest with an ended context deletes nothing", func(t *testing.T) {
		s, c, seqs := opened(t, 3)
		ended, cancel := ctxlite.Cancel(c)
		cancel()
		if got, err := s.DeleteThenOldest(ended, seqs, 0, 50); err == nil {
			t.Fatalf("got %v and no error from an ended context", idsOf(got))
		}
		left(t, s, c, "id-0", "id-1", "id-2")
	})
}
