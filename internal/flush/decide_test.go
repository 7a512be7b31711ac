package flush

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/wire"
)

func TestDecide(t *testing.T) {
	now := time.Date(1994, 11, 6, 8, 48, 7, 0, time.UTC)
	ok2 := []byte(`{"results":[{"success":true},{"success":false,"errors":["bad"]}],"success":true}`)
	bad := []byte(`{"success":false,"error":"Malformed command"}`)
	tests := []struct {
		name       string
		resp       Response
		err        error
		n          int
		want       Action
		outcomes   []wire.Result
		reason     string
		retryAfter time.Duration
		status     int // of the *HTTPError in Err; 0: none or not HTTP
	}{
		{"200 with results", Response{Status: 200, Body: ok2}, nil, 2, Apply, []wire.Result{{OK: true}, {Errors: []string{"bad"}}}, "", 0, 0},
		{"202 with results", Response{Status: 202, Body: ok2}, nil, 2, Apply, []wire.Result{{OK: true}, {Errors: []string{"bad"}}}, "", 0, 0},
		{"200 with too few results", Response{Status: 200, Body: ok2}, nil, 3, Retry, nil, "", 0, 200},
		{"200 garbage", Response{Status: 200, Body: []byte("ok")}, nil, 2, Retry, nil, "", 0, 200},
		{"204 no body", Response{Status: 204}, nil, 2, Retry, nil, "", 0, 204},
		{"400 several records", Response{Status: 400, Body: bad}, nil, 2, Split, nil, "", 0, 400},
		{"400 one record", Response{Status: 400, Body: bad}, nil, 1, Reject, nil, "Malformed command", 0, 400},
		{"401", Response{Status: 401}, nil, 2, Pause, nil, "", 0, 401},
		{"403 one record", Response{Status: 403}, nil, 1, Pause, nil, "", 0, 403},
		{"404 several records", Response{Status: 404}, nil, 5, Pause, nil, "", 0, 404},
		{"404 one record", Response{Status: 404}, nil, 1, Pause, nil, "", 0, 404},
		{"413 one record", Response{Status: 413}, nil, 1, Reject, nil, "HTTP 413", 0, 413},
		{"413 one record", Response{Status: 413}, nil, 1, Reject, nil, "HTTP 413", 0, 413},
		{"408", Response{Status: 408}, nil, 1, Retry, nil, "", 0, 408},
		{"429 with seconds", Response{Status: 429, RetryAfter: "30"}, nil, 1, Retry, nil, "", 30 * time.Second, 429},
		{"500", Response{Status: 500}, nil, 2, Retry, nil, "", 0, 500},
		{"502 with garbage Retry-After", Response{Status: 502, RetryAfter: "later"}, nil, 2, Retry, nil, "", 0, 502},
		{"503 with a date", Response{Status: 503, RetryAfter: "Sun, 06 Nov 1994 08:49:37 GMT"}, nil, 1, Retry, nil, "", 90 * time.Second, 503},
		{"302", Response{Status: 302}, nil, 1, Retry, nil, "", 0, 302},
		{"status 0 (opaque)", Response{}, nil, 1, Retry, nil, "", 0, 0},
		{"network error", Response{}, errors.New("Failed to fetch"), 2, Retry, nil, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Decide(tt.resp, tt.err, tt.n, now)
			if v.Action != tt.want {
				t.Fatalf("got %v, want %v", v.Action, tt.want)
			}
			if !reflect.DeepEqual(v.Outcomes, tt.outcomes) {
				t.Errorf("outcomes: got %v, want %v", v.Outcomes, tt.outcomes)
			}
			if v.Reason != tt.reason {
				t.Errorf("reason: got %v, want %v", v.Reason, tt.reason)
			}
			if v.RetryAfter != tt.retryAfter {
				t.Errorf("retry after: got %v, want %v", v.RetryAfter, tt.retryAfter)
			}
			if tt.want == Apply {
				if v.Err != nil {
					t.Errorf("err: got %v, want nil", v.Err)
				}
				return
			}
			if v.Err == nil {
				t.Fatalf("err: got nil, want an error")
			}
			var he *HTTPError
			if errors.As(v.Err, &he) != (tt.status != 0 || tt.err == nil) {
				t.Fatalf("err %v: got *HTTPError %v", v.Err, he != nil)
			}
			if he != nil && he.Status != tt.status {
				t.Errorf("status: got %v, want %v", he.Status, tt.status)
			}
			if got := errors.Is(v.Err, ErrNetwork); got != (tt.err != nil) {
				t.Errorf("errors.Is(ErrNetwork): got %v, want %v", got, tt.err != nil)
			}
			if tt.resp.Status >= 200 && tt.resp.Status < 300 && !errors.Is(v.Err, wire.ErrMalformed) {
				t.Errorf("err %v: want wire.ErrMalformed", v.Err)
			}
		})
	}
}

func TestHTTPErrorMessage(t *testing.T) {
	tests := []struct {
		err  *HTTPError
		want string
	}{
		{&HTTPError{Status: 401, Reason: "bad token"}, "flush: HTTP 401: bad token"},
		{&HTTPError{Status: 503, RetryAfter: 90 * time.Second}, "flush: HTTP 503 (retry after 1m30s)"},
		{&HTTPError{Status: 200, Err: wire.ErrMalformed}, "flush: HTTP 200: malformed batch response"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %v, want %v", got, tt.want)
		}
	}
}
