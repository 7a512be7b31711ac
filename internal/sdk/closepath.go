package sdk

import (
	"errors"
	"slices"
	"strconv"
	"sync"

	"github.com/exponea-wasm/tracker/internal/ctxlite"

	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// closePath is the SDK's side of the page-close path. When the page is
// hidden or unloaded there is no time to ask the SDK (it may be in a
// Worker) or IndexedDB anything, so the loader keeps its own copy of the
// records not yet confirmed and sends them with keepalive requests
// (js/src/close.js). The SDK keeps that copy current — "_stored" lines for
// what it stored, "_gone" ids for what was confirmed or given up — and
// settles the answers the loader reports when the page lived on to see
// them ("_keepaliveDone").
type closePath struct {
	a      *app
	url    string // where the loader's keepalive requests go
	mirror *mirror
}

func newClosePath(a *app) *closePath {
	c := &closePath{a: a, url: closeURL(batchEndpoint(a.cfg), a.cfg.Authorization), mirror: newMirror(MirrorBytes)}
	if c.url == "" {
		a.s.p.Log.Warn("authorization other than 'Token …' cannot be sent at page close (a keepalive request cannot carry an Authorization header without a CORS preflight); what is unsent when a page closes goes out with the next page's flush")
	}
	return c
}

// batchEndpoint is the batch URL of the configured project.
func batchEndpoint(cfg tracker.Config) string {
	return cfg.BaseURL + "/track/v2/projects/" + escape(cfg.ProjectToken) + "/batch"
}

// closeURL is where the page sends at close: the close path sends without
// headers, to avoid a CORS preflight, so a public key goes in the
// access_token query parameter, as the API allows. Other authorization
// (Basic, with private credentials) has no such form: then there is no
// close path ("").
func closeURL(endpoint, authorization string) string {
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

// stored tells the loader's copy about records to keep, one line each:
// seq US id US body.
func (c *closePath) stored(recs []queue.Record) {
	c.mirror.add(recs)
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
	c.a.s.p.Out.Report("_stored", b) // Out copies it (Platform)
	*buf = b
	reportBufs.Put(buf)
}

// reportBufs keeps the buffers of the _stored reports (a burst's 500
// records' bodies): reused rather than left as garbage, which in wasm grows
// the linear memory for good.
var reportBufs = sync.Pool{New: func() any { return new([]byte) }}

// forget empties the copies: the records are deleted (consent denied).
func (c *closePath) forget() {
	c.mirror.clear()
}

// gone tells the loader's copy to forget records, confirmed or given up,
// one id a line.
func (c *closePath) gone(ids []string) {
	if len(ids) == 0 {
		return
	}
	c.mirror.remove(ids)
	var b []byte
	for i, id := range ids {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, id...)
	}
	c.a.s.p.Out.Report("_gone", b)
}

// closeSent holds the records the page just sent at close (a JSON array of
// their ids) out of the SDK's own requests until the answers come back
// (_keepaliveDone) or closeHold has passed: if the page lives on (a tab
// switch), sending them again meanwhile would deliver them twice.
func (a *app) closeSent(args []byte) {
	ids, err := parseIDs(args)
	if err != nil {
		a.s.p.Log.Warn("_closeSent: " + err.Error())
		return
	}
	a.runner.fl.Hold(ids, a.s.p.Clock.Now().Add(closeHold))
}

// keepaliveDone applies the answer to one of the loader's keepalive
// requests as a normal flush would: confirmed records are deleted, rejected
// ones counted. Records the mirror no longer holds were confirmed otherwise
// meanwhile.
func (r *runner) keepaliveDone(args []byte) error {
	o, err := parseKeepaliveOutcome(args)
	if err != nil {
		return err
	}
	recs := r.a.close.mirror.get(o.IDs)
	if len(recs) == 0 {
		return nil
	}
	var sendErr error
	if o.Failed {
		sendErr = errKeepalive
	}
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	_, err = r.fl.Settle(ctx, recs, o.Response, sendErr)
	return err
}

var errKeepalive = errors.New("keepalive request failed")
