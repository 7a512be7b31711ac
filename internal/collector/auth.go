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
