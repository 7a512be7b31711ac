package tracker

import (
	"bytes"
	"strconv"
)

// The loader hands calls to the wasm side in batches, one line per call:
//
//	id US method US time US argument LF
//
// (US is U+001F). The argument is the page's JSON.stringify output, which
// never holds a raw LF or US (both are escaped inside strings, and no white
// space is written between tokens), so a batch splits without parsing the
// arguments: one call's argument — nested too deeply, say — can only fail
// that call, never the batch around it.

// Envelope is one call of a loader batch.
type Envelope struct {
	ID     int64
	Method string
	Call   Call
}

// ParseBatch splits a loader batch. Lines that do not have the envelope's
// shape are skipped and counted in bad: their caller cannot be answered, so
// the loader must never write one.
func ParseBatch(data []byte) (calls []Envelope, bad int) {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		f := bytes.SplitN(line, []byte{0x1f}, 4)
		if len(f) != 4 {
			bad++
			continue
		}
		id, err1 := strconv.ParseInt(string(f[0]), 10, 64)
		t, err2 := strconv.ParseFloat(string(f[2]), 64)
		if err1 != nil || err2 != nil {
			bad++
			continue
		}
		m := string(f[1])
		calls = append(calls, Envelope{ID: id, Method: m, Call: Call{Method: m, Args: f[3], Time: t}})
	}
	return calls, bad
}
