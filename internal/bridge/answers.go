package bridge

import (
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/sdk"
	"github.com/exponea-wasm/tracker/internal/tracker"
)

// AppendAnswers appends answers as the JSON array the loader reads. An
// error is rejected as a TypeError or RangeError when it is a
// *tracker.InputError of that class, else as an Error.
func AppendAnswers(dst []byte, answers []sdk.Answer) []byte {
	dst = append(dst, '[')
	for i, a := range answers {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"i":`...)
		dst = strconv.AppendInt(dst, a.ID, 10)
		switch {
		case a.Err != nil:
			class := "Error"
			if ie, ok := tracker.AsInputError(a.Err); ok {
				class = string(ie.Class)
			}
			dst = append(dst, `,"e":{"c":`...)
			dst = jsonx.AppendString(dst, class)
			dst = append(dst, `,"m":`...)
			dst = jsonx.AppendString(dst, a.Err.Error())
			dst = append(dst, '}')
		case a.Value != nil:
			dst = append(dst, `,"v":`...)
			dst = append(dst, a.Value...)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}
