package jsonx

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Bool decodes a raw JSON boolean.
func Bool(raw []byte) (bool, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if Valid(raw) {
		return false, ErrType
	}
	return false, syntax(0, "invalid boolean")
}

// Number decodes a raw JSON number.
func Number(raw []byte) (float64, error) {
	v, err := whole(raw)
	if err != nil {
		return 0, err
	}
	if c := v[0]; c != '-' && (c < '0' || c > '9') {
		return 0, ErrType
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return 0, syntax(0, "number out of range")
	}
	return f, nil
}

// String decodes a raw JSON string. Escaped lone surrogates become U+FFFD, as
// they have no UTF-8 form.
func String(raw []byte) (string, error) { return decodeString(raw, false) }

// Name decodes a raw JSON string as a name that identifies what JavaScript
// identifies: equal for two literals exactly when they stand for the same
// JavaScript string. Escapes are resolved (so "k" and "\u006b" are one name)
// and a lone surrogate is kept as its three-byte WTF-8 form rather than
// U+FFFD (so "\ud800" and "\udc00" stay two names). The result is not
// always valid UTF-8; write names back from their raw form.
func Name(raw []byte) (string, error) { return decodeString(raw, true) }

func decodeString(raw []byte, wtf8 bool) (string, error) {
	v, err := whole(raw)
	if err != nil {
		return "", err
	}
	if v[0] != '"' {
		return "", ErrType
	}
	v = v[1 : len(v)-1]
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v), nil
	}
	return unescapeString(v, wtf8), nil
}

// unescapeString decodes the validated contents of a string literal that
// holds escapes. With wtf8, as for member names (Names), a lone surrogate
// is kept as its three-byte WTF-8 form rather than U+FFFD, so that two
// names are equal exactly when JavaScript sees one property ("\ud800" and
// "\udc00" stay two names); the result is then not always valid UTF-8.
func unescapeString(v []byte, wtf8 bool) string {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); {
		if v[i] != '\\' {
			out = append(out, v[i])
			i++
			continue
		}
		switch e := v[i+1]; e {
		case 'u':
			r := hex4(v[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				pair := utf8.RuneError
				if i+6 <= len(v) && v[i] == '\\' && v[i+1] == 'u' {
					pair = utf16.DecodeRune(r, hex4(v[i+2:i+6]))
				}
				switch {
				case pair != utf8.RuneError:
					r = pair
					i += 6
				case wtf8:
					out = append(out, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
					continue
				default:
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			out = append(out, unescape[e])
			i += 2
		}
	}
	return string(out)
}

var unescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
