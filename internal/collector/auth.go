package collector

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// auth checks the credentials of tracking requests: a public key as
// "Authorization: Token <key>" or ?access_token=<key>, or a private key pair
// as "Authorization: Basic base64(keyId:secret)".
type auth struct {
	keys    []string
	private map[string]string
}

// required reports whether any credentials are configured.
func (a auth) required() bool { return len(a.keys) > 0 || len(a.private) > 0 }

// check returns "" when r may proceed, or the reason it may not.
func (a auth) check(r *http.Request) string {
	if !a.required() {
		return ""
	}
	presented := false
	if tok := r.URL.Query().Get("access_token"); tok != "" {
		presented = true
		if a.publicOK(tok) {
			return ""
		}
	}
	if h := r.Header.Get("Authorization"); h != "" {
		presented = true
		scheme, rest, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Token") && a.publicOK(strings.TrimSpace(rest)):
			return ""
		case strings.EqualFold(scheme, "Basic"):
			if id, secret, ok := r.BasicAuth(); ok && a.privateOK(id, secret) {
				return ""
			}
		}
	}
	if !presented {
		return "missing credentials: send Authorization: Token <public key>, the access_token parameter, or Basic private access"
	}
	return "invalid credentials"
}

// publicOK compares against every key in constant time.
func (a auth) publicOK(tok string) bool {
	ok := 0
	for _, k := range a.keys {
		ok |= subtle.ConstantTimeCompare([]byte(tok), []byte(k))
	}
	return ok == 1
}

func (a auth) privateOK(id, secret string) bool {
	want, found := a.private[id]
	return found && subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

// readAccess decides who may use the read API and the page: anyone when
// reads are open (OpenReads, or a loopback address without read keys and
// a request that no proxy forwarded), else a read key (Bearer, or the
// password of Basic credentials) or a private pair.
type readAccess struct {
	keys     []string
	private  map[string]string
	open     bool // OpenReads
	loopback bool // listening on loopback only
}

// check returns 0 when r may read, else the status and reason to refuse.
func (a readAccess) check(r *http.Request) (int, string) {
	if a.open || (a.loopback && len(a.keys) == 0 && !forwarded(r)) {
		return 0, ""
	}
	if len(a.keys) == 0 && len(a.private) == 0 {
		return http.StatusForbidden, "reads need credentials here and none are configured: set -read-keys"
	}
	keys := auth{keys: a.keys, private: a.private}
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer") && len(a.keys) > 0 && keys.publicOK(strings.TrimSpace(rest)):
		return 0, ""
	case strings.EqualFold(scheme, "Basic"):
		if id, secret, ok := r.BasicAuth(); ok && (keys.privateOK(id, secret) || len(a.keys) > 0 && keys.publicOK(secret)) {
			return 0, ""
		}
	}
	if h == "" {
		return http.StatusUnauthorized, "reads need credentials: Authorization: Bearer <read key>, or Basic with a read key as the password or a private key pair"
	}
	return http.StatusUnauthorized, "invalid credentials"
}

// faultsHeader must be present on every request to the fault-injection
// API and POST /api/reset. A page cannot send it cross-site: it is not a
// CORS-safelisted header, so the browser would first ask with a preflight,
// which those endpoints never grant.
const faultsHeader = "X-Collector-Faults"

// faultsRefusal returns why r may not use the fault-injection API, or "".
// Beside the header, a request from another site (by Origin or
// Sec-Fetch-Site) or through a proxy is refused; the Host check has
// already refused DNS rebinding.
func faultsRefusal(r *http.Request) string {
	switch {
	case r.Header.Get(faultsHeader) == "":
		return "the fault-injection API needs the " + faultsHeader + " header"
	case forwarded(r):
		return "the fault-injection API is not served through a proxy"
	case r.Header.Get("Origin") != "" && !sameOrigin(r):
		return "the fault-injection API refuses cross-origin requests"
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return ""
	}
	return "the fault-injection API refuses cross-site requests"
}

// sameOrigin reports whether r's Origin names r's own host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	_, host, ok := strings.Cut(o, "://")
	return ok && strings.EqualFold(host, r.Host)
}
