package exponea

import (
	"errors"
	"math"
	"sort"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Properties are event or customer properties: values are strings,
// numbers, booleans, nil, and []any or map[string]any of those.
type Properties map[string]any

var errValue = errors.New("exponea: a property value must be a string, number, bool, nil, []any or map[string]any")

// appendValue appends v as JSON: maps with their names sorted, as
// encoding/json does (this package does without it: it is 250 KB of wasm).
func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return jsonx.AppendString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case float64:
		return appendNumber(dst, v)
	case float32:
		return appendNumber(dst, float64(v))
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case Properties:
		return appendObject(dst, v)
	case map[string]any:
		return appendObject(dst, v)
	case map[string]string:
		m := make(map[string]any, len(v))
		for k, s := range v {
			m[k] = s
		}
		return appendObject(dst, m)
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	return nil, errValue
}

func appendNumber(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errors.New("exponea: a property value is " + strconv.FormatFloat(f, 'g', -1, 64) + ", which has no JSON form")
	}
	return jsonx.AppendFloat(dst, f), nil
}

func appendObject(dst []byte, m map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonx.AppendString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = appendValue(dst, m[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}
