package jsonx

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects accepted; deeper
// input is an error rather than a stack overflow.
const MaxDepth = 64

// SyntaxError describes invalid JSON.
type SyntaxError struct {
	Offset int    // byte offset of the problem
	Msg    string // what was wrong
}

func (e *SyntaxError) Error() string {
	return "jsonx: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// ErrTooDeep is wrapped by the SyntaxError for input nested deeper than
// the limit, so callers can tell it from malformed JSON.
var ErrTooDeep = errors.New("jsonx: nested too deeply")

// ErrType is returned when a value is valid JSON of another type than asked.
var ErrType = errors.New("jsonx: value has another type")

func syntax(off int, msg string) error { return &SyntaxError{Offset: off, Msg: msg} }

// Unwrap lets errors.Is find ErrTooDeep.
func (e *SyntaxError) Unwrap() error {
	if e.Msg == msgTooDeep {
		return ErrTooDeep
	}
	return nil
}

const msgTooDeep = "nested too deeply"

func skipSpace(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// Valid reports whether data is one valid JSON value (surrounding white space
// allowed) no deeper than MaxDepth.
func Valid(data []byte) bool {
	_, err := whole(data)
	return err == nil
}

// whole checks data is exactly one value no deeper than MaxDepth and
// returns its trimmed bounds.
func whole(data []byte) ([]byte, error) { return wholeLimit(data, MaxDepth) }

func wholeLimit(data []byte, limit int) ([]byte, error) {
	i := skipSpace(data, 0)
	end, err := skipValue(data, i, limit)
	if err != nil {
		return nil, err
	}
	if j := skipSpace(data, end); j != len(data) {
		return nil, syntax(j, "data after the value")
	}
	return data[i:end], nil
}

// skipValue validates the value starting at d[i], allowing limit more
// levels of nesting, and returns the offset just after it.
func skipValue(d []byte, i, limit int) (int, error) {
	if i >= len(d) {
		return i, syntax(i, "unexpected end of input")
	}
	switch c := d[i]; {
	case c == '{':
		return skipObject(d, i, limit-1)
	case c == '[':
		return skipArray(d, i, limit-1)
	case c == '"':
		return skipString(d, i)
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(d, i)
	case c == 't':
		return skipLiteral(d, i, "true")
	case c == 'f':
		return skipLiteral(d, i, "false")
	case c == 'n':
		return skipLiteral(d, i, "null")
	default:
		return i, syntax(i, "invalid character "+strconv.QuoteRune(rune(c)))
	}
}

func skipLiteral(d []byte, i int, lit string) (int, error) {
	if len(d)-i < len(lit) || string(d[i:i+len(lit)]) != lit {
		return i, syntax(i, "invalid literal")
	}
	return i + len(lit), nil
}

func skipObject(d []byte, i, limit int) (int, error) {
	if limit < 0 {
		return i, syntax(i, msgTooDeep)
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return i, syntax(i, "expected a member name")
		}
		var err error
		if i, err = skipString(d, i); err != nil {
			return i, err
		}
		i = skipSpace(d, i)
		if i >= len(d) || d[i] != ':' {
			return i, syntax(i, "expected ':'")
		}
		if i, err = skipValue(d, skipSpace(d, i+1), limit); err != nil {
			return i, err
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, syntax(i, "unexpected end of object")
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, syntax(i, "expected ',' or '}'")
		}
	}
}

func skipArray(d []byte, i, limit int) (int, error) {
	if limit < 0 {
		return i, syntax(i, msgTooDeep)
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = skipValue(d, i, limit); err != nil {
			return i, err
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, syntax(i, "unexpected end of array")
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, syntax(i, "expected ',' or ']'")
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// skipString validates a string literal (escapes and UTF-8) starting at the
// opening quote.
func skipString(d []byte, i int) (int, error) {
	start := i
	i++
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(d) {
				return i, syntax(i, "unterminated escape")
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return i, syntax(i, "invalid \\u escape")
				}
				i += 6
			default:
				return i, syntax(i, "invalid escape")
			}
		case c < 0x20:
			return i, syntax(i, "control character in string")
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n == 1 {
				return i, syntax(i, "invalid UTF-8 in string")
			}
			i += n
		}
	}
	return start, syntax(start, "unterminated string")
}

func digits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// skipNumber validates a number per RFC 8259's grammar.
func skipNumber(d []byte, i int) (int, error) {
	start := i
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = digits(d, i+1)
	default:
		return start, syntax(start, "invalid number")
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return start, syntax(start, "invalid number")
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return start, syntax(start, "invalid number")
		}
		i = j
	}
	return i, nil
}
