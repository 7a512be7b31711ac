//go:build js && wasm

package browser

import (
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/flush"
)

// RequestTimeout bounds one request; a request that takes longer is aborted
// and counts as a network failure (the records stay queued).
const RequestTimeout = 30 * time.Second

// Fetch sends batches with window.fetch (MDN: Window/fetch). It implements
// flush.Sender.
type Fetch struct {
	URL           string // the batch endpoint
	Authorization string // header value; empty sends none
}

// Send posts body and returns the status, the Retry-After header and the
// response body. A network failure, CORS refusal or timeout is an error.
func (f Fetch) Send(ctx ctxlite.Context, body []byte) (flush.Response, error) {
	ctx, cancel := ctxlite.Timeout(ctx, RequestTimeout)
	defer cancel()
	g := safejs.Global()
	ctl, err := newObject(g, "AbortController")
	if err != nil {
		return flush.Response{}, err
	}
	signal, err := ctl.Get("signal")
	if err != nil {
		return flush.Response{}, err
	}
	headers := map[string]any{"Content-Type": "application/json"}
	if f.Authorization != "" {
		headers["Authorization"] = f.Authorization
	}
	// The body goes as bytes: one copy into a Uint8Array, which fetch
	// takes as it is. (As a string it was decoded from UTF-8 into a
	// JavaScript string, then encoded to UTF-8 again by fetch.)
	u8, err := newObject(g, "Uint8Array", len(body))
	if err != nil {
		return flush.Response{}, err
	}
	if _, err := safejs.CopyBytesToJS(u8, body); err != nil {
		return flush.Response{}, err
	}
	init, err := safejs.ValueOf(map[string]any{"method": "POST", "headers": headers, "credentials": "omit"})
	if err != nil {
		return flush.Response{}, err
	}
	if err := init.Set("body", u8); err != nil {
		return flush.Response{}, err
	}
	if err := init.Set("signal", signal); err != nil {
		return flush.Response{}, err
	}
	p, err := g.Call("fetch", f.URL, init)
	if err != nil {
		return flush.Response{}, err
	}
	resp, err := Await(ctx, p)
	if err != nil {
		_, _ = ctl.Call("abort")
		return flush.Response{}, err
	}
	var r flush.Response
	if r.Status, err = getInt(resp, "status"); err != nil {
		return r, err
	}
	if h, err := resp.Get("headers"); err == nil {
		if v, err := h.Call("get", "Retry-After"); err == nil && v.Type() == safejs.TypeString {
			r.RetryAfter, _ = v.String()
		}
	}
	tp, err := resp.Call("text")
	if err != nil {
		return r, err
	}
	text, err := Await(ctx, tp)
	if err != nil {
		_, _ = ctl.Call("abort")
		return r, err
	}
	s, err := text.String()
	r.Body = []byte(s)
	return r, err
}

func newObject(g safejs.Value, class string, args ...any) (safejs.Value, error) {
	c, err := g.Get(class)
	if err != nil {
		return c, err
	}
	if c.Type() != safejs.TypeFunction {
		return c, ErrUnavailable
	}
	return c.New(args...)
}

func getInt(v safejs.Value, prop string) (int, error) {
	p, err := v.Get(prop)
	if err != nil {
		return 0, err
	}
	return p.Int()
}
