package relay

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/flush/retry"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// maxUpstreamBody bounds what is read of an upstream answer.
const maxUpstreamBody = 4 << 20

// Relay forwards the outbox to the upstream Tracking API, one forwarder
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
type Relay struct {
	cfg        Config
	pauseRetry time.Duration
	fwd        map[string]*forwarder
	wg         sync.WaitGroup
}

// Outboxes is where the relay finds what to forward, and counts what it
// did with it.
type Outboxes interface {
	// Outbox is project's part of the outbox.
	Outbox(project string) queue.Store
	// Forwarded counts n commands the upstream confirmed.
	Forwarded(n int)
	// ForwardDropped counts a command the relay gave up.
	ForwardDropped()
}

// Config configures a Relay.
type Config struct {
	// Forward is the upstream's base URL, such as https://api.exponea.com.
	Forward string
	// Key is the private key pair "keyId:secret" sent upstream as Basic
	// credentials.
	Key string
	// Projects are the projects forwarded, each from its own outbox.
	Projects []string
	Outboxes Outboxes
	// AllowHTTP accepts an http:// Forward URL to a host that is not
	// loopback, where the key and the customers' data would cross the
	// network in clear text.
	AllowHTTP bool
	// Backoff is the first and least retry wait; 0: the SDK's.
	Backoff time.Duration
	// Poll, when set, makes an idle forwarder look at the outbox this
	// often even when nothing was stored here: with an outbox shared by
	// several relays, it takes over what a relay that died had claimed,
	// once the claim has run out.
	Poll time.Duration
	Logf func(format string, args ...any)
}

// forwarder sends one project's outbox.
type forwarder struct {
	project string
	f       *flush.Flusher
	wake    chan struct{} // new commands were stored; capacity 1
	least   time.Duration // the backoff's first wait
}

// New checks cfg and returns a relay ready to Start.
func New(cfg Config) (*Relay, error) {
	u, err := url.Parse(cfg.Forward)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("relay: -forward %q: want an http(s) base URL such as https://api.exponea.com", cfg.Forward)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) && !cfg.AllowHTTP {
		return nil, fmt.Errorf("relay: -forward %q is plain http to another machine: the private key and the customers' data "+
			"would cross the network in clear text (use https, or -forward-allow-http)", cfg.Forward)
	}
	id, secret, ok := strings.Cut(cfg.Key, ":")
	if !ok || id == "" || secret == "" {
		return nil, errors.New("relay: -forward needs -forward-key keyId:secret, the project's private key pair")
	}
	if len(cfg.Projects) == 0 {
		return nil, errors.New("relay: -forward needs -projects: the relay forwards only the projects it is given")
	}
	fc, least := flush.Config{}, retry.DefaultBase
	if cfg.Backoff > 0 {
		fc.BackoffBase, fc.BackoffMax, least = cfg.Backoff, 10*cfg.Backoff, cfg.Backoff
	}
	r := &Relay{cfg: cfg, pauseRetry: 60 * least, fwd: map[string]*forwarder{}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 4
	// A redirect is an answer like any other non-2xx (kept, retried later),
	// never followed: followed, a 307 or 308 would send the key and the
	// commands wherever it points, and a 302 would turn the POST into a GET
	// whose 2xx would delete commands that were never delivered.
	client := &http.Client{Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	base := strings.TrimSuffix(u.String(), "/")
	for _, p := range cfg.Projects {
		snd := &Sender{Client: client, URL: base + wire.ProjectsPath + url.PathEscape(p) + "/batch", Auth: auth}
		fw := &forwarder{project: p, wake: make(chan struct{}, 1), least: least}
		fw.f = flush.New(cfg.Outboxes.Outbox(p), snd, fc, nil, nil, r.observer(p))
		r.fwd[p] = fw
	}
	return r, nil
}

// observer logs the flusher's reports and counts what it forwarded and
// dropped.
func (r *Relay) observer(project string) flush.Observer {
	logf := r.cfg.Logf
	return flush.Observer{
		OnFlush: func(rep flush.FlushReport) {
			r.cfg.Outboxes.Forwarded(len(rep.IDs))
		},
		OnError: func(rep flush.ErrorReport) {
			logf("collector: relay %s: %v", project, rep.Err)
		},
		OnDrop: func(d flush.DropReport) {
			r.cfg.Outboxes.ForwardDropped()
			logf("collector: relay %s: gave up command %s after %d refusals: %s", project, d.ID, d.Rejections, d.Reason)
		},
	}
}

// Start runs every forwarder until stop is closed.
func (r *Relay) Start(stop <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-stop; cancel() }()
	for _, fw := range r.fwd {
		fw.wake <- struct{}{} // what the last run left in the outbox
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			fw.run(ctx, r.pauseRetry, r.cfg.Poll)
		}()
	}
}

// Wait returns once every forwarder has ended (after stop was closed).
func (r *Relay) Wait() { r.wg.Wait() }

// Kick tells project's forwarder that commands were stored.
func (r *Relay) Kick(project string) {
	if fw := r.fwd[project]; fw != nil {
		select {
		case fw.wake <- struct{}{}:
		default:
		}
	}
}

// run flushes whenever commands arrive (and every poll, if set), and
// when the flusher says: after a failed request, not before its backoff
// ends (new commands do not cut it short); when a command held back after a refusal is due; and after the
// upstream refused the credentials or the endpoint (401/403/404), with a
// forced flush every pauseRetry, which lifts the pause once they work.
func (fw *forwarder) run(ctx context.Context, pauseRetry, poll time.Duration) {
	force := false
	var tick <-chan time.Time // nil: no polling
	if poll > 0 {
		t := time.NewTicker(poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-fw.wake:
		case <-tick:
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

// loopbackHost reports whether host, a URL's host name, is this machine.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// paused reports whether err means that the upstream refused the
// credentials or the endpoint, so that the flusher paused.
func paused(err error) bool {
	var he *flush.HTTPError
	return errors.Is(err, flush.ErrPaused) || errors.As(err, &he) && (he.Status == 401 || he.Status == 403 || he.Status == 404)
}

// Sender posts batches to a batch endpoint with its Authorization: a
// flush.Sender over net/http. The relay sends with one.
type Sender struct {
	Client *http.Client
	// URL is the batch endpoint, Auth the Authorization header's value.
	URL, Auth string
}

// Send posts body and returns the answer, read up to 4 MB.
func (s *Sender) Send(c ctxlite.Context, body []byte) (flush.Response, error) {
	ctx, release := ctxlite.Std(c)
	defer release()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return flush.Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", s.Auth)
	resp, err := s.Client.Do(req)
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
