//go:build js && wasm

package browser

import (
	"context"
	"time"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/hack-pad/safejs"
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
func (f Fetch) Send(ctx context.Context, body []byte) (flush.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
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
	init, err := safejs.ValueOf(map[string]any{"method": "POST", "headers": headers, "body": string(body), "credentials": "omit"})
	if err != nil {
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

// SendKeepalive starts a keepalive fetch (MDN: RequestInit keepalive) that
// outlives the page, without waiting for it: the close path cannot wait. The
// body is sent as text/plain with the token in the URL, so the request needs
// no CORS preflight (a preflight cannot be made for a closing page).
// onDone, if not nil, is called with the outcome if the page is still alive
// when the response arrives.
func SendKeepalive(url string, body []byte, onDone func(flush.Response, error)) error {
	g := safejs.Global()
	init, err := safejs.ValueOf(map[string]any{
		"method": "POST", "body": string(body), "keepalive": true, "credentials": "omit",
		"headers": map[string]any{"Content-Type": "text/plain;charset=UTF-8"},
	})
	if err != nil {
		return err
	}
	p, err := g.Call("fetch", url, init)
	if err != nil {
		return err
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), RequestTimeout)
		defer cancel()
		resp, err := Await(ctx, p)
		var r flush.Response
		if err == nil {
			r.Status, err = getInt(resp, "status")
		}
		if err == nil {
			var text safejs.Value
			if tp, e := resp.Call("text"); e == nil {
				if text, e = Await(ctx, tp); e == nil {
					s, _ := text.String()
					r.Body = []byte(s)
				}
			}
		}
		if onDone != nil {
			onDone(r, err)
		}
	}()
	return nil
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
