// Package relaytest is a stand-in for the upstream Tracking API, for the
// relay's tests: like Bloomreach it does not dedupe, and it answers its
// requests by a plan of faults.
package relaytest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/reply"
)

// Fault is what the upstream does to one request.
type Fault int

// The faults an Upstream can plan.
const (
	OK           Fault = iota
	Fail503            // 503: the upstream is down
	RateLimit          // 429, Retry-After: 1
	ResetBefore        // the connection is closed before the body is read: nothing arrived
	ResetAfter         // the commands are accepted, then the connection is closed: the answer is lost
	Unauthorized       // 401: the relay pauses, and tries again later
)

// Served is one request the upstream answered.
type Served struct {
	At    time.Time // when the request arrived
	Done  time.Time // when its answer was written (or its connection dropped)
	Fault Fault
	Auth  string
	Path  string
}

// Upstream counts every command it accepts. Lock Mu to read or change
// its fields while it serves.
type Upstream struct {
	T             testing.TB
	Mu            sync.Mutex
	Down          bool    // answer 503 to everything, outside the plan
	Plan          []Fault // what the next requests get, in order
	Got           map[string]int
	Refuse        map[string]bool // command ids answered success:false, always
	Cut           int             // commands accepted in requests whose answer was cut
	NoIDTimestamp float64         // the timestamp of the event of type "no-id"
	Log           []Served
}

// New returns an Upstream that accepts everything.
func New(t testing.TB) *Upstream {
	return &Upstream{T: t, Got: map[string]int{}, Refuse: map[string]bool{}}
}

func (u *Upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.Mu.Lock()
	f := OK
	switch {
	case len(u.Plan) > 0:
		f, u.Plan = u.Plan[0], u.Plan[1:]
	case u.Down:
		f = Fail503
	}
	u.Log = append(u.Log, Served{At: time.Now(), Fault: f, Auth: r.Header.Get("Authorization"), Path: r.URL.Path})
	i := len(u.Log) - 1
	u.Mu.Unlock()
	defer func() {
		u.Mu.Lock()
		u.Log[i].Done = time.Now()
		u.Mu.Unlock()
	}()
	switch f {
	case Fail503:
		http.Error(w, `{"success":false,"error":"upstream down"}`, 503)
		return
	case RateLimit:
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"success":false,"error":"rate limited"}`, 429)
		return
	case Unauthorized:
		http.Error(w, `{"success":false,"error":"bad key"}`, 401)
		return
	case ResetBefore:
		reply.Drop(w)
		return
	}
	var body struct {
		Commands []struct {
			ID   string `json:"command_id"`
			Data struct {
				EventType string  `json:"event_type"`
				Timestamp float64 `json:"timestamp"`
			} `json:"data"`
		} `json:"commands"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		u.T.Errorf("upstream: bad body: %v", err)
		http.Error(w, "bad", 400)
		return
	}
	u.Mu.Lock()
	results := make([]string, len(body.Commands))
	for i, c := range body.Commands {
		if u.Refuse[c.ID] {
			results[i] = `{"success":false,"errors":["refused"]}`
			continue
		}
		u.Got[c.ID]++
		if c.Data.EventType == "no-id" {
			u.NoIDTimestamp = c.Data.Timestamp
		}
		results[i] = `{"success":true}`
	}
	if f == ResetAfter {
		u.Cut += len(body.Commands)
	}
	u.Mu.Unlock()
	if f == ResetAfter {
		reply.Drop(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"results":[`+strings.Join(results, ",")+`],"success":true}`)
}

// Who returns the first segment of r's path: relays given -forward URLs
// that differ there (http://host/a, http://host/b) are told apart by it.
func Who(r *http.Request) string {
	who, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return who
}

// CommandIDs reads the command ids of a batch request's body.
func CommandIDs(r *http.Request) ([]string, error) {
	var body struct {
		Commands []struct {
			ID string `json:"command_id"`
		} `json:"commands"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return nil, err
	}
	ids := make([]string, len(body.Commands))
	for i, c := range body.Commands {
		ids[i] = c.ID
	}
	return ids, nil
}

// Accept answers a batch of n commands 200, every command a success.
func Accept(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"results":[`+strings.TrimSuffix(strings.Repeat(`{"success":true},`, n), ",")+`],"success":true}`)
}
