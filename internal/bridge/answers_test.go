package bridge

import (
	"errors"
	"testing"

	"github.com/exponea-wasm/tracker/internal/sdk"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

func TestAppendAnswers(t *testing.T) {
	got := string(AppendAnswers(nil, []sdk.Answer{
		{ID: 1},
		{ID: 2, Value: []byte(`"c-1"`)},
		{ID: 3, Err: &tracker.InputError{Class: tracker.RangeError, Method: "trackEvent", Field: "timestamp", Msg: "must be \"sane\""}},
		{ID: 4, Err: errors.New("store: closed")},
	}))
	want := `[{"i":1},{"i":2,"v":"c-1"},{"i":3,"e":{"c":"RangeError","m":"trackEvent: timestamp must be \"sane\""}},{"i":4,"e":{"c":"Error","m":"store: closed"}}]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
