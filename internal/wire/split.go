package wire

import (
	"bytes"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// The functions here walk JSON that has already been validated (by
// jsonx), finding where values begin and end without checking them again:
// a batch body is validated once, as a whole, and then split into its
// commands and their fields in one more pass. Given text that is not valid
// JSON their results are meaningless, but they never read out of bounds.

// walkObject walks the object that starts at d[i], calling fn with each
// member's name as written (with its quotes) and the offset of its value;
// fn returns the offset just after the value (valueEnd, if it does not
// look inside). walkObject returns the offset just after the object, or -1
// when d[i] does not start an object.
func walkObject(d []byte, i int, fn func(rawKey []byte, v int) int) int {
	if i >= len(d) || d[i] != '{' {
		return -1
	}
	i = skipWS(d, i+1)
	for i < len(d) && d[i] == '"' {
		kEnd := stringEnd(d, i)
		v := skipWS(d, skipWS(d, kEnd)+1) // past the ':'
		i = skipWS(d, max(fn(d[i:kEnd], v), v))
		if i < len(d) && d[i] == ',' {
			i = skipWS(d, i+1)
		}
	}
	return min(i+1, len(d))
}

// elements returns the elements of the array arr, or nil and false when
// arr is not an array.
func elements(arr []byte) ([][]byte, bool) {
	i := skipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return nil, false
	}
	var out [][]byte
	i = skipWS(arr, i+1)
	for i < len(arr) && arr[i] != ']' {
		end := valueEnd(arr, i)
		if end <= i {
			break
		}
		out = append(out, arr[i:end])
		i = skipWS(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = skipWS(arr, i+1)
		}
	}
	return out, true
}

// keyIs reports whether the member name k (as written) is name; a name
// written with escapes is decoded first.
func keyIs(k []byte, name string) bool {
	if len(k) < 2 {
		return false
	}
	if bytes.IndexByte(k, '\\') < 0 {
		return string(k[1:len(k)-1]) == name
	}
	s, err := jsonx.Name(k)
	return err == nil && s == name
}

// keyName decodes a member name as written.
func keyName(k []byte) string {
	s, _ := jsonx.Name(k)
	return s
}

func skipWS(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the offset just after the string literal at d[i]: the
// first quote after it that an even number of backslashes precede.
func stringEnd(d []byte, i int) int {
	for j := i + 1; j < len(d); {
		k := bytes.IndexByte(d[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		n := 0
		for p := q - 1; p > i && d[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
	return len(d)
}

// valueEnd returns the offset just after the value at d[i].
func valueEnd(d []byte, i int) int {
	if i >= len(d) {
		return i
	}
	switch d[i] {
	case '"':
		return stringEnd(d, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '"':
				j = stringEnd(d, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(d)
	}
	j := i
	for j < len(d) && d[j] != ',' && d[j] != '}' && d[j] != ']' && d[j] != ' ' && d[j] != '\t' && d[j] != '\n' && d[j] != '\r' {
		j++
	}
	return j
}
