package closepath

import (
	"slices"
	"testing"

	"github.com/exponea-wasm/tracker/internal/queue"
)

// What another runtime confirmed reaches the loader only for the records
// this page's copy holds: the others were never this page's, and telling
// the page of them would cost it a message for every request another tab
// sends.
func TestGoneHeldTellsOnlyOfRecordsTheCopyHolds(t *testing.T) {
	var told []string
	p := New("https://api.example/track/v2/projects/p/batch", "Token k", func(name string, b []byte) {
		if name == "_gone" {
			told = append(told, string(b))
		}
	})
	p.Stored([]queue.Record{{Seq: 1, ID: "a", Body: "{}"}, {Seq: 2, ID: "b", Body: "{}"}})
	p.GoneHeld([]string{"x", "y"})
	if len(told) != 0 {
		t.Fatalf("told of records the copy never held: %q", told)
	}
	p.GoneHeld([]string{"x", "b"})
	if !slices.Equal(told, []string{"b"}) {
		t.Fatalf("told %q, want b alone", told)
	}
	if got := p.Records([]string{"a", "b"}); len(got) != 1 || got[0].ID != "a" {
		t.Fatalf("the copy holds %v after b was gone, want a", got)
	}
	p.GoneHeld([]string{"b"})
	if len(told) != 1 {
		t.Fatalf("told again of a record already forgotten: %q", told)
	}
}
