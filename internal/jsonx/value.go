package jsonx

import (
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
func String(raw []byte) (string, error) {
	v, err := whole(raw)
	if err != nil {
		return "", err
	}
	if v[0] != '"' {
		return "", ErrType
	}
	v = v[1 : len(v)-1]
	simple := true
	for _, c := range v {
		if c == '\\' {
			simple = false
			break
		}
	}
	if simple {
		return string(v), nil
	}
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
				if i+6 <= len(v) && v[i] == '\\' && v[i+1] == 'u' {
					if p := utf16.DecodeRune(r, hex4(v[i+2:i+6])); p != utf8.RuneError {
						r = p
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			out = append(out, unescape[e])
			i += 2
		}
	}
	return string(out), nil
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
