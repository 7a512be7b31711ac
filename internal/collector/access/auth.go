package access

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Tracking checks the credentials of tracking requests: a public key as
// "Authorization: Token <key>" or ?access_token=<key>, or a private key pair
// as "Authorization: Basic base64(keyId:secret)".
type Tracking struct {
	Keys    []string          // public keys
	Private map[string]string // private key ids to their secrets
}

// Required reports whether any credentials are configured.
func (a Tracking) Required() bool { return len(a.Keys) > 0 || len(a.Private) > 0 }

// Check returns "" when r may proceed, or the reason it may not.
func (a Tracking) Check(r *http.Request) string {
	if !a.Required() {
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
func (a Tracking) publicOK(tok string) bool {
	ok := 0
	for _, k := range a.Keys {
		ok |= subtle.ConstantTimeCompare([]byte(tok), []byte(k))
	}
	return ok == 1
}

func (a Tracking) privateOK(id, secret string) bool {
	want, found := a.Private[id]
	return found && subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

// Reads decides who may use the read API and the page: anyone when
// reads are open (Open, or a loopback address without read keys and a
// request that no proxy forwarded), else a read key (Bearer, or the
// password of Basic credentials) or a private pair.
type Reads struct {
	Keys     []string          // read keys
	Private  map[string]string // private key pairs, which may read too
	Open     bool              // -open-reads
	Loopback bool              // listening on loopback only
}

// Keyless reports whether no credential could ever read: no read key and
// no private pair.
func (a Reads) Keyless() bool { return len(a.Keys) == 0 && len(a.Private) == 0 }

// Check returns 0 when r may read, else the status and reason to refuse.
func (a Reads) Check(r *http.Request) (int, string) {
	if a.Open || (a.Loopback && len(a.Keys) == 0 && !Forwarded(r)) {
		return 0, ""
	}
	if a.Keyless() {
		return http.StatusForbidden, "reads need credentials here and none are configured: set -read-keys"
	}
	keys := Tracking{Keys: a.Keys, Private: a.Private}
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Bearer") && len(a.Keys) > 0 && keys.publicOK(strings.TrimSpace(rest)):
		return 0, ""
	case strings.EqualFold(scheme, "Basic"):
		if id, secret, ok := r.BasicAuth(); ok && (keys.privateOK(id, secret) || len(a.Keys) > 0 && keys.publicOK(secret)) {
			return 0, ""
		}
	}
	if h == "" {
		return http.StatusUnauthorized, "reads need credentials: Authorization: Bearer <read key>, or Basic with a read key as the password or a private key pair"
	}
	return http.StatusUnauthorized, "invalid credentials"
}
