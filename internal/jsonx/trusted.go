package jsonx

import "bytes"

// The functions here walk JSON that has already been validated (by Valid,
// or that a JSON.stringify wrote), finding where values begin and end
// without checking them again: a document is validated once, as a whole,
// and then split into its parts in one more pass. Given text that is not
// valid JSON their results are meaningless, but they never read out of
// bounds.

// WalkObject walks the object that starts at d[i], calling fn with each
// member's name as written (with its quotes) and the offset of its value;
// fn returns the offset just after the value (ValueEnd, if it does not
// look inside). WalkObject returns the offset just after the object, or -1
// when d[i] does not start an object.
func WalkObject(d []byte, i int, fn func(rawKey []byte, v int) int) int {
	if i >= len(d) || d[i] != '{' {
		return -1
	}
	i = SkipWS(d, i+1)
	for i < len(d) && d[i] == '"' {
		kEnd := StringEnd(d, i)
		v := SkipWS(d, SkipWS(d, kEnd)+1) // past the ':'
		i = SkipWS(d, max(fn(d[i:kEnd], v), v))
		if i < len(d) && d[i] == ',' {
			i = SkipWS(d, i+1)
		}
	}
	return min(i+1, len(d))
}

// elements returns the elements of the array arr, or nil and false when
// arr is not an array.
func Elements(arr []byte) ([][]byte, bool) {
	i := SkipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return nil, false
	}
	var out [][]byte
	i = SkipWS(arr, i+1)
	for i < len(arr) && arr[i] != ']' {
		end := ValueEnd(arr, i)
		if end <= i {
			break
		}
		out = append(out, arr[i:end])
		i = SkipWS(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = SkipWS(arr, i+1)
		}
	}
	return out, true
}

// KeyIs reports whether the member name k (as written) is name; a name
// written with escapes is decoded first.
func KeyIs(k []byte, name string) bool {
	if len(k) < 2 {
		return false
	}
	if bytes.IndexByte(k, '\\') < 0 {
		return string(k[1:len(k)-1]) == name
	}
	s, err := Name(k)
	return err == nil && s == name
}

// KeyName decodes a member name as written.
func KeyName(k []byte) string {
	s, _ := Name(k)
	return s
}

func SkipWS(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// StringEnd returns the offset just after the string literal at d[i]: the
// first quote after it that an even number of backslashes precede.
func StringEnd(d []byte, i int) int {
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

// ValueEnd returns the offset just after the value at d[i].
func ValueEnd(d []byte, i int) int {
	if i >= len(d) {
		return i
	}
	switch d[i] {
	case '"':
		return StringEnd(d, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '"':
				j = StringEnd(d, j) - 1
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

// Unquote decodes a string literal that is known to be valid (a part of a
// validated document), without checking it again. Escaped lone surrogates
// become U+FFFD, as with String.
func Unquote(lit []byte) string {
	if len(lit) < 2 {
		return ""
	}
	v := lit[1 : len(lit)-1]
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v)
	}
	return unescapeString(v, false)
}
