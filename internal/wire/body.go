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

// ParseBatch reads a batch body and validates each of its commands with
// the API's rules: cmds and errs hold one entry per command, in order (errs
// empty for a valid command). err is for a body that is not a batch at all,
// the whole request's 400.
//
// The body is validated as JSON once, as a whole, and then split into its
// commands and their fields without validating the parts again. Bytes
// that are not UTF-8 inside a command's strings do not spoil the batch:
// the body is read from a copy in which each such byte is a '?', and only
// the commands that hold them are refused (ErrTextUTF8). Outside strings
// they are still malformed JSON.
func ParseBatch(body []byte) (cmds []Command, errs [][]string, err error) {
	valid := utf8.Valid(body)
	scan := body
	if !valid {
		scan = sanitize(body)
	}
	raws, err := parseBody(scan)
	if err != nil {
		return nil, nil, err
	}
	cmds, errs = make([]Command, len(raws)), make([][]string, len(raws))
	for i, raw := range raws {
		if !valid {
			off := cap(scan) - cap(raw) // raw is a subslice of scan
			if !utf8.Valid(body[off : off+len(raw)]) {
				errs[i] = []string{ErrTextUTF8}
				continue
			}
		}
		cmds[i], errs[i] = commandOf(raw)
	}
	return cmds, errs, nil
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

// parseBody validates body and returns the raw commands of its
// "commands" array. A repeated "commands" member counts as every other
// repeated member does, here and in JSON.parse: the last one.
func parseBody(body []byte) ([][]byte, error) {
	ms, err := jsonx.Object(body)
	if err != nil {
		return nil, errors.New("malformed JSON: " + err.Error())
	}
	var raw []byte
	for _, m := range ms {
		if m.Key == "commands" {
			raw = m.Value
		}
	}
	if raw == nil {
		return nil, errNoCommands
	}
	cmds, ok := jsonx.Elements(raw)
	if !ok {
		return nil, errNoCommands
	}
	return cmds, nil
}

var errNoCommands = errors.New("commands: must be an array")
