package bench

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EventsPerBatch is the size of every batch: the SDK's full batch.
const EventsPerBatch = 50

// Level is what one concurrency level measured.
type Level struct {
	Concurrency int
	Elapsed     time.Duration
	Batches     int // answered 200 with every command a success
	Errors      int // anything else: a status, a failed command, no answer
	P50, P99    time.Duration
	CPU         time.Duration // the collector's CPU time (user + system) over the run
}

// BatchesPerSec returns the acknowledged batches per second.
func (l Level) BatchesPerSec() float64 { return float64(l.Batches) / l.Elapsed.Seconds() }

// batch is one request's command ids, and whether it was acknowledged.
type batch struct {
	ids   []string
	acked bool
}

// load runs concurrency clients against the collectors at bases until d
// has passed or ctx ends, client i sending to bases[i % len(bases)]. Each
// client sends one batch, waits for the answer, and sends the next. sent,
// if not nil, receives every batch after its request ended, acknowledged
// or not, and a client then stops at its first failure (in the kill -9
// check, the collector is gone).
func load(ctx context.Context, bases []string, concurrency int, d time.Duration, sent func(batch)) Level {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	hc := newHTTPClient(concurrency)
	defer hc.CloseIdleConnections()

	var mu sync.Mutex
	lvl := Level{Concurrency: concurrency}
	var lat []time.Duration
	var wg sync.WaitGroup
	begin := time.Now()
	for i := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(uint64(i))
			url := batchURL(bases[i%len(bases)])
			var mine []time.Duration
			ok, bad := 0, 0
			for ctx.Err() == nil {
				ids, body := c.batch()
				t0 := time.Now()
				err := post(ctx, hc, url, body)
				if ctx.Err() != nil && err != nil {
					if sent != nil {
						sent(batch{ids: ids}) // cut by the end of the run: may or may not be stored
					}
					break
				}
				if err != nil {
					bad++
				} else {
					ok++
					mine = append(mine, time.Since(t0))
				}
				if sent != nil {
					sent(batch{ids: ids, acked: err == nil})
					if err != nil {
						break
					}
				}
			}
			mu.Lock()
			lvl.Batches += ok
			lvl.Errors += bad
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	lvl.Elapsed = time.Since(begin)
	lvl.P50, lvl.P99 = percentile(lat, 50), percentile(lat, 99)
	return lvl
}

// newHTTPClient is the load's client: a connection per concurrent client
// kept alive, as a browser's.
func newHTTPClient(concurrency int) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency, DisableCompression: true}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// batchURL is the batch endpoint of the collector at base.
func batchURL(base string) string { return base + "/track/v2/projects/" + Project + "/batch" }

// errRejected is a 200 answer in which some command failed.
var errRejected = errors.New("bench: a command was rejected")

// post sends one batch; nil means 200 with every command a success.
func post(ctx context.Context, hc *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token "+Key)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: HTTP %d: %.200s", resp.StatusCode, b)
	}
	if strings.Count(string(b), `"success":true`) != EventsPerBatch+1 { // each result and the whole
		return errRejected
	}
	return nil
}

// client is one simulated browser: its own cookie, events of a shop.
type client struct {
	rng    *rand.Rand
	cookie string
	n      int
}

func newClient(seed uint64) *client {
	c := &client{rng: rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))}
	c.cookie = c.uuid()
	return c
}

// uuid returns a random UUID v4, as the SDK makes its command ids.
func (c *client) uuid() string {
	var b [16]byte
	for i := range 2 {
		v := c.rng.Uint64()
		for j := range 8 {
			b[i*8+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// batch returns the ids and the body of the client's next batch: about
// 400 bytes per event, like a page visit with the SDK's device properties.
func (c *client) batch() ([]string, []byte) {
	ids := make([]string, EventsPerBatch)
	b := make([]byte, 0, EventsPerBatch*450)
	b = append(b, `{"commands":[`...)
	ts := strconv.AppendFloat(nil, float64(time.Now().UnixMilli())/1e3, 'f', 3, 64)
	for i := range ids {
		ids[i] = c.uuid()
		c.n++
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":"customers/events","command_id":"`...)
		b = append(b, ids[i]...)
		b = append(b, `","data":{"customer_ids":{"cookie":"`...)
		b = append(b, c.cookie...)
		b = append(b, `"},"event_type":"page_visit","timestamp":`...)
		b = append(b, ts...)
		b = append(b, `,"properties":{"location":"https://shop.example/p/`...)
		b = strconv.AppendInt(b, int64(c.n), 10)
		b = append(b, `","title":"Product `...)
		b = strconv.AppendInt(b, int64(c.n), 10)
		b = append(b, `","referrer":"https://www.example.org/","browser":"Chrome","browser_version":"131.0.0.0",`+
			`"os_name":"Linux","device_type":"desktop","sdk":"exponea-wasm","sdk_version":"0.1.0","language":"en-US",`+
			`"price":`...)
		b = strconv.AppendInt(b, int64(c.n%500), 10)
		b = append(b, `.99,"on_sale":`...)
		b = strconv.AppendBool(b, c.n%3 == 0)
		b = append(b, "}}}"...)
	}
	return ids, append(b, `]}`...)
}
