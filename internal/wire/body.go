package wire

import (
	"errors"

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

// ParseBody reads a batch body: the raw commands of its "commands" array.
// The error says what is wrong, for a 400 answer.
func ParseBody(body []byte) ([][]byte, error) {
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
