package closepath

import (
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/queue"
)

func TestMirror(t *testing.T) {
	all := []string{"a", "b", "c", "d"}
	m := NewMirror(25)
	r := func(seq int64, id string, n int) queue.Record {
		return queue.Record{Seq: seq, ID: id, Body: strings.Repeat("x", n)}
	}
	m.Add([]queue.Record{r(2, "b", 10), r(1, "a", 10)})
	m.Add([]queue.Record{r(2, "b", 10)}) // already there
	if got := m.Get(all); len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("got %+v, want a, b in seq order", got)
	}
	m.Add([]queue.Record{r(3, "c", 10)}) // 30 bytes > 25: the oldest goes
	if got := m.Get(all); len(got) != 2 || got[0].ID != "b" || got[1].ID != "c" {
		t.Fatalf("over the limit: got %+v, want b, c", got)
	}
	m.Remove([]string{"b", "zzz"})
	if got := m.Get(all); len(got) != 1 || got[0].ID != "c" {
		t.Fatalf("after remove: got %+v, want c", got)
	}
	if got := m.Get([]string{"c", "nope"}); len(got) != 1 || got[0].ID != "c" {
		t.Fatalf("Get: got %+v", got)
	}
	m.Add([]queue.Record{r(4, "d", 10)})
	if got := m.Get(all); len(got) != 2 {
		t.Fatalf("bytes not released on remove: got %d records, want 2", len(got))
	}
}

func TestMirrorRemoveKeepsWhatFollowsTheLastFound(t *testing.T) {
	m := NewMirror(1 << 20)
	var recs []queue.Record
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		recs = append(recs, queue.Record{Seq: int64(i + 1), ID: id, Body: "xx"})
	}
	m.Add(recs)
	m.Remove([]string{"c", "b"})
	got := m.Get([]string{"a", "b", "c", "d", "e"})
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, "") != "ade" || m.bytes != 6 {
		t.Errorf("got %v (%d bytes), want a, d, e (6 bytes)", ids, m.bytes)
	}
}
