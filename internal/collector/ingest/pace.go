package ingest

import (
	"io"
	"net/http"
	"time"
)

// Pace is how long a request body may take: Base to begin, and one more
// second for every Rate bytes that arrive, within Limit from the start.
// A slow mobile client sending steadily keeps its connection as long as
// its body needs; a client that trickles a few bytes (slowloris) is cut
// after about Base.
type Pace struct {
	Base  time.Duration
	Rate  int           // bytes a second; 0: no allowance beyond Base
	Limit time.Duration // the most any body may take; 0: none
}

// deadline is when a body that began at start and has brought n bytes
// must have ended.
func (p Pace) deadline(start time.Time, n int64) time.Time {
	d := p.Base
	if p.Rate > 0 {
		d += time.Duration(float64(n) / float64(p.Rate) * float64(time.Second))
	}
	if p.Limit > 0 {
		d = min(d, p.Limit)
	}
	return start.Add(d)
}

// pacedBody reads a request body under a Pace, moving the connection's
// read deadline as bytes arrive.
type pacedBody struct {
	r     io.Reader
	rc    *http.ResponseController
	pace  Pace
	start time.Time
	n     int64
	set   time.Time // the deadline in force
}

// pacedReader returns r's body under p, with its first deadline set; a
// zero Pace leaves the server's own timeouts in force.
func pacedReader(w http.ResponseWriter, body io.Reader, p Pace, now time.Time) io.Reader {
	if p.Base <= 0 {
		return body
	}
	b := &pacedBody{r: body, rc: http.NewResponseController(w), pace: p, start: now}
	b.set = p.deadline(now, 0)
	b.rc.SetReadDeadline(b.set) // unsupported (HTTP/2): the server's ReadTimeout holds
	return b
}

func (b *pacedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	// Moved in steps of a tenth of a second at least: a deadline is cheap
	// to set, but not free, and bodies come in many small reads.
	if d := b.pace.deadline(b.start, b.n); d.Sub(b.set) >= 100*time.Millisecond {
		b.rc.SetReadDeadline(d)
		b.set = d
	}
	return n, err
}
