package bridge

import (
	"bytes"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/tracker"
)

// ParseCalls splits a batch of call lines. Lines that do not have the
// envelope's shape are skipped and counted in bad: their caller cannot be
// answered, so the loader must never write one. The calls' Args alias
// batch.
func ParseCalls(batch []byte) (calls []tracker.Call, bad int) {
	calls = make([]tracker.Call, 0, bytes.Count(batch, []byte{'\n'})+1)
	for len(batch) > 0 {
		line := batch
		if i := bytes.IndexByte(batch, '\n'); i >= 0 {
			line, batch = batch[:i], batch[i+1:]
		} else {
			batch = nil
		}
		f := bytes.SplitN(line, []byte{0x1f}, 6)
		if len(f) != 6 {
			bad++
			continue
		}
		id, err1 := strconv.ParseInt(string(f[0]), 10, 64)
		t, err2 := strconv.ParseFloat(string(f[2]), 64)
		if err1 != nil || err2 != nil {
			bad++
			continue
		}
		calls = append(calls, tracker.Call{ID: id, Method: string(f[1]), TimeMs: t, Key: string(f[3]), Entry: string(f[4]), Args: f[5]})
	}
	return calls, bad
}
