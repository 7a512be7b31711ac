package jsonx

// Member is one member of a JSON object: its name, decoded with Name (so
// two members have equal Keys exactly when JavaScript sees one property),
// and its raw value. RawKey, when set, is the name exactly as it was written
// (quoted): write names back from it, since a Key holding a lone surrogate
// is not valid UTF-8.
type Member struct {
	Key    string
	Value  []byte
	RawKey []byte
}

// AppendKey appends the member's name as a JSON string: RawKey if set, else
// Key encoded.
func (m Member) AppendKey(dst []byte) []byte {
	if m.RawKey != nil {
		return append(dst, m.RawKey...)
	}
	return AppendString(dst, m.Key)
}

// Object returns the members of the JSON object in data, in order. Values are
// validated raw sub-slices of data. Duplicate names are returned as they come.
func Object(data []byte) ([]Member, error) { return ObjectLimit(data, MaxDepth) }

// ObjectLimit is Object with another nesting limit.
func ObjectLimit(data []byte, limit int) ([]Member, error) {
	v, err := wholeLimit(data, limit)
	if err != nil {
		return nil, err
	}
	if v[0] != '{' {
		return nil, ErrType
	}
	var out []Member
	i := skipSpace(v, 1)
	for i < len(v) && v[i] == '"' {
		end, _ := skipString(v, i) // validated by whole
		key, err := Name(v[i:end])
		if err != nil {
			return nil, err
		}
		vs := skipSpace(v, skipSpace(v, end)+1) // past ':'
		ve, _ := skipValue(v, vs, limit)
		out = append(out, Member{Key: key, Value: v[vs:ve], RawKey: v[i:end]})
		i = skipSpace(v, ve)
		if v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return out, nil
}

// Array returns the raw elements of the JSON array in data.
func Array(data []byte) ([][]byte, error) { return ArrayLimit(data, MaxDepth) }

// ArrayLimit is Array with another nesting limit, for an envelope around
// values that are themselves checked against MaxDepth later.
func ArrayLimit(data []byte, limit int) ([][]byte, error) {
	v, err := wholeLimit(data, limit)
	if err != nil {
		return nil, err
	}
	if v[0] != '[' {
		return nil, ErrType
	}
	var out [][]byte
	i := skipSpace(v, 1)
	for i < len(v) && v[i] != ']' {
		end, _ := skipValue(v, i, limit)
		out = append(out, v[i:end])
		i = skipSpace(v, end)
		if v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return out, nil
}

// Lookup returns the raw value of the first member named key in the JSON
// object data, and whether there was one.
func Lookup(data []byte, key string) ([]byte, bool, error) {
	ms, err := Object(data)
	if err != nil {
		return nil, false, err
	}
	for _, m := range ms {
		if m.Key == key {
			return m.Value, true, nil
		}
	}
	return nil, false, nil
}
