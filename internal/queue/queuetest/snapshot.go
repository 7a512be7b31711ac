package queuetest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// snapshot checks queue.Snapshotter's contract, on stores that have it:
// one Snapshot reads what Count and GetState read.
func snapshot(t *testing.T, open func(t *testing.T) queue.Store, ctx func(t *testing.T) ctxlite.Context) {
	t.Run("snapshot reads the count, the size and the state keys asked for", func(t *testing.T) {
		s, ok := open(t).(queue.Snapshotter)
		if !ok {
			t.Skip("not a queue.Snapshotter")
		}
		c := ctx(t)
		empty, err := s.Snapshot(c, []string{"a", "b"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if empty.N != 0 || empty.Bytes != 0 || !slices.Equal(empty.Has, []bool{false, false}) || !slices.Equal(empty.Values, []string{"", ""}) {
			t.Fatalf("empty store: %+v", empty)
		}
		if _, err := s.Append(c, []queue.Record{rec(1), rec(2), rec(3)}); err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{"a": "alpha", "c": ""} {
			if _, err := s.UpdateState(c, k, func(string, bool) (string, bool) { return v, true }); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Snapshot(c, []string{"c", "b", "a"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, bytes, err := s.Count(c)
		if err != nil {
			t.Fatal(err)
		}
		if got.N != 3 || got.N != n || got.Bytes != bytes || bytes == 0 {
			t.Errorf("snapshot counted %d records of %d bytes, Count %d of %d", got.N, got.Bytes, n, bytes)
		}
		if !slices.Equal(got.Values, []string{"", "", "alpha"}) || !slices.Equal(got.Has, []bool{true, false, true}) {
			t.Errorf("snapshot read %q %v, want [\"\" \"\" alpha] [true false true]", got.Values, got.Has)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Snapshot(c, []string{"a"}, nil); err == nil {
			t.Error("a closed store's snapshot did not fail")
		}
	})
	t.Run("snapshot stores what init says in the same transaction, and holds it", func(t *testing.T) {
		s, ok := open(t).(queue.Snapshotter)
		if !ok {
			t.Skip("not a queue.Snapshotter")
		}
		c := ctx(t)
		if _, err := s.UpdateState(c, "kept", func(string, bool) (string, bool) { return "old", true }); err != nil {
			t.Fatal(err)
		}
		var seen []string
		got, err := s.Snapshot(c, []string{"new", "kept", "replaced"}, func(i int, old string, ok bool) (string, bool) {
			seen = append(seen, strconv.Itoa(i)+":"+old+":"+strconv.FormatBool(ok))
			switch i {
			case 0:
				return "made", true
			case 2:
				return "", true // an empty value is a value
			}
			return "ignored", false
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seen, []string{"0::false", "1:old:true", "2::false"}) {
			t.Errorf("init was called with %q", seen)
		}
		if !slices.Equal(got.Values, []string{"made", "old", ""}) || !slices.Equal(got.Has, []bool{true, true, true}) {
			t.Errorf("snapshot holds %q %v, want what is stored now", got.Values, got.Has)
		}
		for k, want := range map[string]string{"new": "made", "kept": "old", "replaced": ""} {
			if v, ok, err := s.GetState(c, k); err != nil || !ok || v != want {
				t.Errorf("after the snapshot, %s: %q %v %v, want %q", k, v, ok, err, want)
			}
		}
	})
}
