package collector

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
)

// maxUpstreamBody bounds what is read of an upstream answer.
const maxUpstreamBody = 4 << 20

// relay forwards the outbox to the upstream Tracking API, one forwarder
// per project, each with the SDK's own flusher (internal/flush): batches
// of up to 50 commands, one request at a time, a command deleted only on
// the upstream's success:true for it, outages backed off exponentially
// with full jitter and Retry-After honoured, a refused batch bisected to
// the bad command, which is dropped after flush.DefaultMaxRetries refusals.
//
// Exactly once into an upstream that does not dedupe: the SDK's resends
// are deduped on arrival (a command enters the outbox once), and a command
// leaves the outbox only when confirmed, so it is sent again only when the
// upstream's answer to a request carrying it was lost.
type relay struct {
	s          *Server
	pauseRetry time.Duration
	fwd        map[string]*forwarder
	wg         sync.WaitGroup
}

// forwarder sends one project's outbox.
type forwarder struct {
	project string
	f       *flush.Flusher
	wake    chan struct{} // new commands were stored; capacity 1
	least   time.Duration // the backoff's first wait
}

func newRelay(s *Server, cfg Config) (*relay, error) {
	u, err := url.Parse(cfg.Forward)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("collector: -forward %q: want an http(s) base URL such as https://api.exponea.com", cfg.Forward)
	}
	id, secret, ok := strings.Cut(cfg.ForwardKey, ":")
	if !ok || id == "" || secret == "" {
		return nil, errors.New("collector: -forward needs -forward-key keyId:secret, the project's private key pair")
	}
	fc, least := flush.Config{}, flush.DefaultBackoffBase
	if cfg.relayBackoff > 0 {
		fc.BackoffBase, fc.BackoffMax, least = cfg.relayBackoff, 10*cfg.relayBackoff, cfg.relayBackoff
	}
	r := &relay{s: s, pauseRetry: 60 * least, fwd: map[string]*forwarder{}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	base := strings.TrimSuffix(u.String(), "/")
	for p := range s.projects {
		snd := &sender{client: client, url: base + trackPrefix + url.PathEscape(p) + "/batch", auth: auth}
		store := &outboxStore{st: s.st, project: p}
		fw := &forwarder{project: p, wake: make(chan struct{}, 1), least: least}
		fw.f = flush.New(store, snd, fc, nil, nil, r.observer(p))
		r.fwd[p] = fw
	}
	return r, nil
}

// observer logs the flusher's reports and counts what it forwarded and
// dropped.
func (r *relay) observer(project string) flush.Observer {
	logf := r.s.cfg.Logger.Printf
	return flush.Observer{
		OnFlush: func(rep flush.FlushReport) {
			r.s.tally.slots[forwardedSlot].Add(int64(len(rep.IDs)))
		},
		OnError: func(rep flush.ErrorReport) {
			logf("collector: relay %s: %v", project, rep.Err)
		},
		OnDrop: func(d flush.DropReport) {
			r.s.tally.slots[forwardDroppedSlot].Add(1)
			logf("collector: relay %s: gave up command %s after %d refusals: %s", project, d.ID, d.Rejections, d.Reason)
		},
	}
}

// start runs every forwarder until the server stops.
func (r *relay) start() {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-r.s.stop; cancel() }()
	for _, fw := range r.fwd {
		fw.wake <- struct{}{} // what the last run left in the outbox
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			fw.run(ctx, r.pauseRetry)
		}()
	}
}

// wait returns once every forwarder has ended (after the server's stop).
func (r *relay) wait() { r.wg.Wait() }

// kick tells project's forwarder that commands were stored.
func (r *relay) kick(project string) {
	if fw := r.fwd[project]; fw != nil {
		select {
		case fw.wake <- struct{}{}:
		default:
		}
	}
}

// run flushes whenever commands arrive, and when the flusher says: after a
// failed request, not before its backoff ends (new commands do not cut it
// short); when a command held back after a refusal is due; and after the
// upstream refused the credentials or the endpoint (401/403/404), with a
// forced flush every pauseRetry, which lifts the pause once they work.
func (fw *forwarder) run(ctx context.Context, pauseRetry time.Duration) {
	force := false
	for {
		select {
		case <-fw.wake:
		case <-ctx.Done():
			return
		}
		for {
			res, err := fw.f.Flush(ctx, force)
			force = false
			if ctx.Err() != nil {
				return
			}
			wait, wake := time.Duration(-1), fw.wake // -1: until commands arrive
			switch {
			case paused(err):
				wait, force, wake = pauseRetry, true, nil
			case err != nil && !res.Next.IsZero():
				wait, wake = max(time.Until(res.Next), 0), nil // backing off: only time ends it
			case err != nil:
				wait, wake = time.Second, nil // the store failed; try again soon
			case !res.Next.IsZero():
				wait = max(time.Until(res.Next), 0) // a held-back command is due then (or now)
			case res.Kept > 0:
				wait = fw.least // kept, yet nothing was due: look again later
			}
			if wait < 0 {
				break
			}
			t := time.NewTimer(max(wait, 0))
			select {
			case <-t.C:
			case <-wake: // nil while backing off or paused
			case <-ctx.Done():
				t.Stop()
				return
			}
			t.Stop()
		}
	}
}

// paused reports whether err means that the upstream refused the
// credentials or the endpoint, so that the flusher paused.
func paused(err error) bool {
	var he *flush.HTTPError
	return errors.Is(err, flush.ErrPaused) || errors.As(err, &he) && (he.Status == 401 || he.Status == 403 || he.Status == 404)
}

// sender posts batches to the upstream's batch endpoint with the private
// key pair: a flush.Sender over net/http.
type sender struct {
	client    *http.Client
	url, auth string
}

func (s *sender) Send(c ctxlite.Context, body []byte) (flush.Response, error) {
	ctx, release := ctxlite.Std(c)
	defer release()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return flush.Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", s.auth)
	resp, err := s.client.Do(req)
	if err != nil {
		return flush.Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxUpstreamBody))
	if err != nil {
		return flush.Response{}, err // the answer was cut: nothing says what arrived
	}
	return flush.Response{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"), Body: b}, nil
}
