// Package queuetest checks that a queue.Store keeps the contract that the
// tracker and the flusher rely on. Every Store implementation runs it.
package queuetest

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

func rec(i int) queue.Record {
	return queue.Record{ID: "id-" + strconv.Itoa(i), Kind: queue.KindEvent, CreatedMs: int64(1000 + i), Body: `{"n":` + strconv.Itoa(i) + `}`}
}

// Run runs the contract against stores made by open; each subtest gets a
// fresh, empty store. A store that is a queue.DeleteReader or a
// queue.Snapshotter is checked as one too.
func Run(t *testing.T, open func(t *testing.T) queue.Store) {
	ctx := func(t *testing.T) ctxlite.Context {
		c, cancel := ctxlite.Timeout(ctxlite.Background(), 10*time.Second)
		t.Cleanup(cancel)
		return c
	}
	t.Run("append assigns increasing seqs and keeps order", func(t *testing.T) {
		s, c := open(t), ctx(t)
		a, err := s.Append(c, []queue.Record{rec(1), rec(2)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Append(c, []queue.Record{rec(3)})
		if err != nil {
			t.Fatal(err)
		}
		if !(a[0].Seq > 0 && a[1].Seq > a[0].Seq && b[0].Seq > a[1].Seq) {
			t.Fatalf("seqs not increasing: %d %d %d", a[0].Seq, a[1].Seq, b[0].Seq)
		}
		got, err := s.Oldest(c, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %d records, want 3", len(got))
		}
		for i, r := range got {
			want := rec(i + 1)
			want.Seq = r.Seq
			if r != want {
				t.Errorf("record %d: got %+v, want %+v", i, r, want)
			}
		}
		n, bytes, err := s.Count(c)
		if err != nil || n != 3 || bytes != int64(len(rec(1).Body)*3) {
			t.Fatalf("count: got %d, %d, %v; want 3, %d", n, bytes, err, len(rec(1).Body)*3)
		}
		if n, err := s.Len(c); err != nil || n != 3 {
			t.Fatalf("len: got %d, %v; want 3", n, err)
		}
	})
	t.Run("oldest pages after a seq and honours n", func(t *testing.T) {
		s, c := open(t), ctx(t)
		var in []queue.Record
		for i := range 7 {
			in = append(in, rec(i))
		}
		stored, err := s.Append(c, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Oldest(c, stored[2].Seq, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != "id-3" || got[2].ID != "id-5" {
			t.Fatalf("got %+v, want id-3..id-5", got)
		}
		if got, _ := s.Oldest(c, stored[6].Seq, 3); len(got) != 0 {
			t.Fatalf("after the last seq: got %d records, want 0", len(got))
		}
	})
	t.Run("update changes only stored records", func(t *testing.T) {
		s, c := open(t), ctx(t)
		stored, err := s.Append(c, []queue.Record{rec(1), rec(2)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(c, []int64{stored[1].Seq}); err != nil {
			t.Fatal(err)
		}
		u0, u1 := stored[0], stored[1]
		u0.Rejections, u0.NotBeforeMs = 2, 5000
		u1.Rejections = 9
		if err := s.Update(c, []queue.Record{u0, u1}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Oldest(c, 0, 10)
		if len(got) != 1 || got[0] != u0 {
			t.Fatalf("got %+v, want only %+v", got, u0)
		}
	})
	t.Run("delete ignores missing seqs", func(t *testing.T) {
		s, c := open(t), ctx(t)
		stored, _ := s.Append(c, []queue.Record{rec(1), rec(2), rec(3)})
		if err := s.Delete(c, []int64{stored[0].Seq, stored[2].Seq, 99999}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Oldest(c, 0, 10)
		if len(got) != 1 || got[0].ID != "id-2" {
			t.Fatalf("got %+v, want id-2 alone", got)
		}
	})
	t.Run("delete removes runs exactly, never the gaps between them", func(t *testing.T) {
		s, c := open(t), ctx(t)
		var in []queue.Record
		for i := range 8 {
			in = append(in, rec(i))
		}
		st, _ := s.Append(c, in)
		if err := s.Delete(c, []int64{st[0].Seq, st[1].Seq, st[2].Seq, st[4].Seq, st[5].Seq, st[7].Seq}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Oldest(c, 0, 10)
		if len(got) != 2 || got[0].ID != "id-3" || got[1].ID != "id-6" {
			t.Fatalf("got %+v, want id-3 and id-6 kept", got)
		}
	})
	t.Run("state get and conditional update", func(t *testing.T) {
		s, c := open(t), ctx(t)
		if _, ok, err := s.GetState(c, "cookie"); ok || err != nil {
			t.Fatalf("empty store: ok=%v err=%v", ok, err)
		}
		createIfMissing := func(v string) func(string, bool) (string, bool) {
			return func(old string, ok bool) (string, bool) {
				if ok {
					return old, false
				}
				return v, true
			}
		}
		v, err := s.UpdateState(c, "cookie", createIfMissing("first"))
		if err != nil || v != "first" {
			t.Fatalf("got %q, %v; want first", v, err)
		}
		v, err = s.UpdateState(c, "cookie", createIfMissing("second"))
		if err != nil || v != "first" {
			t.Fatalf("second create: got %q, %v; want first", v, err)
		}
		got, ok, err := s.GetState(c, "cookie")
		if err != nil || !ok || got != "first" {
			t.Fatalf("get: got %q %v %v", got, ok, err)
		}
	})
	t.Run("append once stores each marked batch once, and marks can be dropped", func(t *testing.T) {
		s, c := open(t), ctx(t)
		once := func(batches ...queue.Batch) ([]queue.Record, []bool) {
			t.Helper()
			stored, skipped, err := s.AppendOnce(c, batches)
			if err != nil {
				t.Fatal(err)
			}
			return stored, skipped
		}
		a := queue.Batch{Mark: "0001-a", Recs: []queue.Record{rec(1), rec(2)}}
		stored, skipped := once(a)
		if len(stored) != 2 || stored[0].Seq <= 0 || skipped[0] {
			t.Fatalf("first: got %+v, %v", stored, skipped)
		}
		b := queue.Batch{Mark: "0002-b", Recs: []queue.Record{rec(3)}}
		free := queue.Batch{Recs: []queue.Record{rec(4)}}
		stored, skipped = once(a, b, free)
		if len(stored) != 2 || stored[0].ID != "id-3" || stored[1].ID != "id-4" || stored[0].Seq <= 2 || fmt.Sprint(skipped) != "[true false false]" {
			t.Fatalf("again with others: got %+v, %v; want a skipped, b and the unmarked batch stored", stored, skipped)
		}
		if n, err := s.Len(c); err != nil || n != 4 {
			t.Fatalf("len: got %d, %v; want 4", n, err)
		}
		if v, ok, err := s.GetState(c, queue.MarkKey("0001-a")); err != nil || !ok || v == "" {
			t.Fatalf("the mark is not in the state: %q, %v, %v", v, ok, err)
		}
		if _, err := s.UpdateState(c, "other", func(string, bool) (string, bool) { return "x", true }); err != nil {
			t.Fatal(err)
		}
		if err := s.DropMarks(c, "0002"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.GetState(c, queue.MarkKey("0001-a")); ok {
			t.Error("DropMarks kept a mark before the bound")
		}
		if _, ok, _ := s.GetState(c, queue.MarkKey("0002-b")); !ok {
			t.Error("DropMarks dropped a mark after the bound")
		}
		if _, ok, _ := s.GetState(c, "other"); !ok {
			t.Error("DropMarks dropped state that is not a mark")
		}
		if stored, skipped := once(queue.Batch{Mark: "0001-a", Recs: []queue.Record{rec(5)}}); len(stored) != 1 || skipped[0] {
			t.Fatalf("after its mark was dropped: got %+v, %v; want it stored", stored, skipped)
		}
		if stored, skipped := once(queue.Batch{Mark: "0003-c"}); len(stored) != 0 || skipped[0] {
			t.Fatalf("an empty batch: got %+v, %v", stored, skipped)
		}
		if _, skipped := once(queue.Batch{Mark: "0003-c", Recs: []queue.Record{rec(6)}}); !skipped[0] {
			t.Fatal("an empty batch's mark was not recorded")
		}
	})
	deleteThenOldest(t, open, ctx)
	snapshot(t, open, ctx)
	t.Run("closed store fails with ErrClosed", func(t *testing.T) {
		s, c := open(t), ctx(t)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Append(c, []queue.Record{rec(1)}); !errors.Is(err, queue.ErrClosed) {
			t.Fatalf("append after close: got %v, want ErrClosed", err)
		}
	})
}
