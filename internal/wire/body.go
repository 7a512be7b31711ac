package wire

import (
	"errors"
	"unicode/utf8"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// The batch envelope around the commands.
const (
	bodyHead = `{"commands":[`
	bodyTail = `]}`
)

// BodySize returns the size of a batch body holding n commands whose
// encodings total commandBytes.
func BodySize(n, commandBytes int) int {
	size := len(bodyHead) + len(bodyTail) + commandBytes
	if n > 1 {
		size += n - 1 // commas
	}
	return size
}

// Fits reports whether a batch of n commands with a body of size bytes is
// within the request limits.
func Fits(n, size int) bool { return n <= MaxCommands && size < MaxBodyBytes }

// AppendBody appends the batch body of n commands, command(i) giving the
// encoding of the i-th; each is already a command's JSON, so this only
// concatenates.
func AppendBody(dst []byte, n int, command func(i int) string) []byte {
	dst = append(dst, bodyHead...)
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, command(i)...)
	}
	return append(dst, bodyTail...)
}

// ParseBody reads a batch body: the raw commands of its "commands" array.
// The error says what is wrong, for a 400 answer.
//
// Bytes that are not UTF-8 inside a command's strings do not spoil the
// batch: the envelope is read from a copy in which each such byte is a
// '?', and the commands are returned from body itself, so that
// ParseCommand refuses the one command that holds them. Outside strings
// they are still malformed JSON.
func ParseBody(body []byte) ([][]byte, error) {
	if utf8.Valid(body) {
		return parseBody(body)
	}
	clean := sanitize(body)
	cmds, err := parseBody(clean)
	for i, c := range cmds {
		off := cap(clean) - cap(c) // c is a subslice of clean
		cmds[i] = body[off : off+len(c) : off+len(c)]
	}
	return cmds, err
}

// sanitize returns a copy of b of the same length in which every byte that
// is not part of a UTF-8 sequence is '?'.
func sanitize(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRune(out[i:])
		if r == utf8.RuneError && n == 1 {
			out[i] = '?'
		}
		i += n
	}
	return out
}

func parseBody(body []byte) ([][]byte, error) {
	raw, ok, err := jsonx.Lookup(body, "commands")
	switch {
	case err != nil:
		return nil, errors.New("malformed JSON: " + err.Error())
	case !ok:
		return nil, errNoCommands
	}
	cmds, err := jsonx.Array(raw)
	if err != nil {
		return nil, errNoCommands
	}
	return cmds, nil
}

var errNoCommands = errors.New("commands: must be an array")
