//go:build js && wasm

package exponea

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/sdk"
	"github.com/exponea-wasm/tracker/internal/tracker"
	"github.com/google/uuid"
)

// InputError is bad input: Field names it, Class is the JavaScript SDK's
// error class for it (TypeError or RangeError).
type InputError = tracker.InputError

// Version is the SDK's version.
const Version = tracker.SDKVersion

// Client is the configured SDK of this program.
type Client struct {
	s      *sdk.SDK
	out    *out
	nextID atomic.Int64
}

var (
	configured sync.Mutex
	client     *Client
)

// Configure starts the SDK and returns its client once the queue is open.
// A program configures it once; a second Configure returns an error.
func Configure(cfg Config) (*Client, error) {
	configured.Lock()
	defer configured.Unlock()
	if client != nil {
		return nil, errors.New("exponea: Configure was called before")
	}
	text, err := cfg.appendJSON(nil)
	if err != nil {
		return nil, err
	}
	uuid.EnableRandPool()
	o := &out{waiting: map[int64]chan sdk.Answer{}, report: cfg.OnReport}
	c := &Client{s: sdk.New(browser.Platform(o)), out: o}
	page := browser.PageState()
	args := append([]byte(`{"config":`), text...)
	args = append(args, `,"page":`...)
	args = append(appendPage(args, page), '}')
	if _, err := c.call("configure", args); err != nil {
		return nil, err
	}
	if err := browser.WatchPage(func(p sdk.PageState) { c.tell("_page", appendPage(nil, p)) }); err != nil {
		browser.ConsoleWarn("cannot watch the page: " + err.Error())
	}
	client = c
	return c, nil
}

func appendPage(dst []byte, p sdk.PageState) []byte {
	dst = append(dst, `{"url":`...)
	dst = jsonx.AppendString(dst, p.URL)
	dst = append(dst, `,"referrer":`...)
	dst = jsonx.AppendString(dst, p.Referrer)
	dst = append(dst, `,"visible":`...)
	dst = strconv.AppendBool(dst, p.Visible)
	dst = append(dst, `,"online":`...)
	dst = strconv.AppendBool(dst, p.Online)
	dst = append(dst, `,"screenWidth":`...)
	dst = strconv.AppendInt(dst, int64(p.ScreenWidth), 10)
	dst = append(dst, `,"screenHeight":`...)
	dst = strconv.AppendInt(dst, int64(p.ScreenHeight), 10)
	return append(dst, '}')
}

// call applies one call and waits for its answer.
func (c *Client) call(method string, args []byte) ([]byte, error) {
	id := c.nextID.Add(1)
	ch := c.out.wait(id)
	c.s.Apply([]tracker.Call{{ID: id, Method: method, Args: args, TimeMs: float64(time.Now().UnixMicro()) / 1000}})
	a := <-ch
	return a.Value, a.Err
}

// tell applies a call whose answer nobody waits for.
func (c *Client) tell(method string, args []byte) {
	id := c.nextID.Add(1)
	c.out.wait(id) // answered into a buffered channel nobody reads
	c.s.Apply([]tracker.Call{{ID: id, Method: method, Args: args, TimeMs: float64(time.Now().UnixMicro()) / 1000}})
}

// TrackEvent tracks an event of type name now; it returns once the event
// is durably queued.
func (c *Client) TrackEvent(name string, properties Properties) error {
	return c.TrackEventAt(name, properties, time.Time{})
}

// TrackEventAt is TrackEvent for an event that happened at t (zero: now).
func (c *Client) TrackEventAt(name string, properties Properties, t time.Time) error {
	b := []byte(`{"name":`)
	b = jsonx.AppendString(b, name)
	if properties != nil {
		b = append(b, `,"properties":`...)
		var err error
		if b, err = appendObject(b, properties); err != nil {
			return err
		}
	}
	if !t.IsZero() {
		b = append(b, `,"timestamp":`...)
		b = jsonx.AppendFloat(b, float64(t.UnixMicro())/1e6)
	}
	_, err := c.call("trackEvent", append(b, '}'))
	return err
}

// IdentifyCustomer merges ids (e.g. {"registered": "a@b.com"}) into the
// stored customer ids and queues a customer update with properties.
func (c *Client) IdentifyCustomer(ids map[string]string, properties Properties) error {
	b := []byte(`{"ids":`)
	m := make(map[string]any, len(ids))
	for k, v := range ids {
		m[k] = v
	}
	b, err := appendObject(b, m)
	if err == nil && properties != nil {
		b = append(b, `,"properties":`...)
		b, err = appendObject(b, properties)
	}
	if err != nil {
		return err
	}
	_, err = c.call("identifyCustomer", append(b, '}'))
	return err
}

// Anonymize starts fresh as a new customer, in every tab of the origin.
func (c *Client) Anonymize() error { _, err := c.call("anonymize", nil); return err }

// CustomerCookie returns the customer's cookie (a UUID; "" while consent
// is denied).
func (c *Client) CustomerCookie() (string, error) {
	v, err := c.call("getCustomerCookie", nil)
	if err != nil {
		return "", err
	}
	return jsonx.String(v)
}

// SetDefaultProperties replaces the properties merged under every event's.
func (c *Client) SetDefaultProperties(p Properties) error {
	b, err := appendObject(nil, p)
	if err != nil {
		return err
	}
	_, err = c.call("setDefaultProperties", b)
	return err
}

// SetFlushMode switches the flush mode.
func (c *Client) SetFlushMode(mode string) error {
	_, err := c.call("setFlushMode", jsonx.AppendString(nil, mode))
	return err
}

// FlushResult is what Flush did.
type FlushResult struct {
	Sent, Confirmed, Kept, Dropped, Requests int
}

// Flush sends everything queued now, in any flush mode.
func (c *Client) Flush() (FlushResult, error) {
	v, err := c.call("flushData", nil)
	if err != nil {
		return FlushResult{}, err
	}
	var r FlushResult
	ms, err := jsonx.Object(v)
	for _, m := range ms {
		f, _ := jsonx.Number(m.Value)
		switch m.Key {
		case "sent":
			r.Sent = int(f)
		case "confirmed":
			r.Confirmed = int(f)
		case "kept":
			r.Kept = int(f)
		case "dropped":
			r.Dropped = int(f)
		case "requests":
			r.Requests = int(f)
		}
	}
	return r, err
}

// QueueLength returns how many records wait in the queue.
func (c *Client) QueueLength() (int, error) {
	v, err := c.call("getQueueLength", nil)
	if err != nil {
		return 0, err
	}
	f, err := jsonx.Number(v)
	return int(f), err
}

// GrantConsent and RevokeConsent record the visitor's decision for every
// tab and later page (see Config.Consent).
func (c *Client) GrantConsent() error  { _, err := c.call("grantConsent", nil); return err }
func (c *Client) RevokeConsent() error { _, err := c.call("revokeConsent", nil); return err }

// out is the sdk.Out that hands answers to the calls waiting for them.
type out struct {
	mu      sync.Mutex
	waiting map[int64]chan sdk.Answer
	report  func(kind, detail string)
}

func (o *out) wait(id int64) chan sdk.Answer {
	ch := make(chan sdk.Answer, 1)
	o.mu.Lock()
	o.waiting[id] = ch
	o.mu.Unlock()
	return ch
}

func (o *out) Answers(as []sdk.Answer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range as {
		if ch, ok := o.waiting[a.ID]; ok {
			delete(o.waiting, a.ID)
			ch <- a
		}
	}
}

// Flush does nothing: Answers hands each answer to the call waiting for
// it as it is given.
func (o *out) Flush() {}

func (o *out) Report(kind string, detail []byte) {
	if o.report != nil && kind[0] != '_' {
		o.report(kind, string(detail))
	}
}
