package session

import (
	"unicode/utf8"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// attributionKeys are the query parameters copied onto session_start, in
// the order they are returned.
var attributionKeys = [...]string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid"}

// MaxAttributionLen caps each returned value, in bytes of UTF-8, so that a
// pathological URL cannot make session_start too big to send.
const MaxAttributionLen = 1000

// Attribution returns the properties session_start carries about where the
// visit came from: the UTM parameters, gclid and fbclid of pageURL's query,
// then referrer if it is not empty. Values are JSON string literals. Keys are
// matched exactly after decoding; empty values count as absent; of repeated
// keys the first non-empty value wins. The query is what lies between the
// first '?' and the '#' after it; parameters inside a fragment
// ("#/page?utm_source=x") are not the page's and are ignored. Decoding
// follows URLSearchParams: '+' is a space, %XX a byte, a malformed escape
// ("%zz", "%4") stays as written, and bytes that are not UTF-8 become U+FFFD.
func Attribution(pageURL, referrer string) []jsonx.Member {
	var found [len(attributionKeys)]string
	for q := query(pageURL); q != ""; {
		var pair string
		pair, q = cut(q, '&')
		k, v := cut(pair, '=')
		if v == "" {
			continue
		}
		key := decode(k)
		for i, name := range attributionKeys {
			if key == name && found[i] == "" {
				found[i] = decode(v)
			}
		}
	}
	var out []jsonx.Member
	for i, v := range found {
		if v != "" {
			out = append(out, member(attributionKeys[i], v))
		}
	}
	if referrer != "" {
		out = append(out, member("referrer", referrer))
	}
	return out
}

func member(key, val string) jsonx.Member {
	return jsonx.Member{Key: key, Value: jsonx.AppendString(nil, truncate(val, MaxAttributionLen))}
}

// query returns the query of u without '?', or "".
func query(u string) string {
	for i := 0; i < len(u); i++ {
		switch u[i] {
		case '#':
			return ""
		case '?':
			q, _ := cut(u[i+1:], '#')
			return q
		}
	}
	return ""
}

// cut splits s around the first sep; rest is "" if there is none.
func cut(s string, sep byte) (before, rest string) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// decode undoes form encoding: '+' is a space and %XX a byte; a '%' not
// followed by two hex digits is kept.
func decode(s string) string {
	i := 0
	for i < len(s) && s[i] != '+' && s[i] != '%' {
		i++
	}
	if i == len(s) {
		return s
	}
	b := append(make([]byte, 0, len(s)), s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// truncate shortens s to at most n bytes without splitting a UTF-8
// sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// A sequence is at most UTFMax bytes; past that, s is not UTF-8 here
	// and any cut will do (AppendString replaces the broken bytes).
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return s[:n]
}
