// Package closepath is the SDK's side of the page-close path. When the page
// is hidden or unloaded there is no time to ask the SDK (it may be in a
// Worker) or IndexedDB anything, so the loader keeps its own copy of the
// records not yet confirmed and sends them with keepalive requests
// (js/src/close.js). Path keeps that copy current — "_stored" lines for
// what the SDK stored, "_gone" ids for what was confirmed or given up —
// and holds the SDK's own copy (Mirror), against which the answers the
// loader reports when the page lived on to see them ("_keepaliveDone",
// ParseOutcome) are settled. Where the page sends at close is URL.
//
// Pure Go, no syscall/js (internal/sdk/purity_test.go checks); internal/sdk
// wires it to the flusher.
package closepath

import (
	"slices"
	"strconv"
	"sync"

	"github.com/exponea-wasm/tracker/internal/queue"
)

// Path keeps the loader's copy of the unsent records current and the SDK's
// own (Mirror).
type Path struct {
	// URL is where the loader's keepalive requests go ("": no close path).
	URL    string
	mirror *Mirror
	report func(name string, b []byte)
}

// New returns the close path of a batch endpoint and authorization.
// report sends a report to the loader ("_stored", "_gone"); it must copy b.
// The copies hold at most MirrorBytes of bodies.
func New(endpoint, authorization string, report func(name string, b []byte)) *Path {
	return &Path{URL: URL(endpoint, authorization), mirror: NewMirror(MirrorBytes), report: report}
}

// BatchURL is the batch endpoint of a project.
func BatchURL(baseURL, projectToken string) string {
	return baseURL + "/track/v2/projects/" + escape(projectToken) + "/batch"
}

// URL is where the page sends at close: the close path sends without
// headers, to avoid a CORS preflight, so a public key goes in the
// access_token query parameter, as the API allows. Other authorization
// (Basic, with private credentials) has no such form: then there is no
// close path ("").
func URL(endpoint, authorization string) string {
	const prefix = "Token "
	switch {
	case authorization == "":
		return endpoint
	case len(authorization) > len(prefix) && authorization[:len(prefix)] == prefix:
		return endpoint + "?access_token=" + escape(authorization[len(prefix):])
	}
	return ""
}

// escape percent-encodes everything but RFC 3986's unreserved characters,
// which is right for a path segment and a query value alike (net/url would
// cost more binary than this function).
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

// Stored tells the loader's copy about records to keep, one line each:
// seq US id US body.
func (c *Path) Stored(recs []queue.Record) {
	c.mirror.Add(recs)
	size := 0
	for _, rec := range recs {
		size += 24 + len(rec.ID) + len(rec.Body)
	}
	buf := reportBufs.Get().(*[]byte)
	b := slices.Grow((*buf)[:0], size)
	for i, rec := range recs {
		if i > 0 {
			b = append(b, '\n')
		}
		b = strconv.AppendInt(b, rec.Seq, 10)
		b = append(b, 0x1f)
		b = append(b, rec.ID...)
		b = append(b, 0x1f)
		b = append(b, rec.Body...)
	}
	c.report("_stored", b) // report copies it
	*buf = b
	reportBufs.Put(buf)
}

// reportBufs keeps the buffers of the _stored reports (a burst's 500
// records' bodies): reused rather than left as garbage, which in wasm grows
// the linear memory for good.
var reportBufs = sync.Pool{New: func() any { return new([]byte) }}

// Adopt adds records the loader's copy holds already (a page whose SDK
// was started again) to the SDK's copy, telling the loader nothing.
func (c *Path) Adopt(recs []queue.Record) { c.mirror.Add(recs) }

// Forget empties the SDK's copy: the records are deleted (consent denied).
func (c *Path) Forget() {
	c.mirror.Clear()
}

// Gone tells the loader's copy to forget records, confirmed or given up,
// one id a line.
func (c *Path) Gone(ids []string) {
	if len(ids) == 0 {
		return
	}
	c.mirror.Remove(ids)
	var b []byte
	for i, id := range ids {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, id...)
	}
	c.report("_gone", b)
}

// GoneHeld is Gone for those of ids the SDK's copy holds (the others are
// not this page's, or it forgot them already): what another runtime
// confirmed or gave up.
func (c *Path) GoneHeld(ids []string) {
	held := c.mirror.Get(ids)
	if len(held) == 0 {
		return
	}
	ids = make([]string, len(held))
	for i, r := range held {
		ids[i] = r.ID
	}
	c.Gone(ids)
}

// Records returns the records with these ids that the SDK's copy still
// holds, in Seq order: those of a keepalive answer still to settle (the
// others were confirmed otherwise meanwhile).
func (c *Path) Records(ids []string) []queue.Record { return c.mirror.Get(ids) }
