package jsonx

// Member is one member of a JSON object: its decoded name and its raw value.
type Member struct {
	Key   string
	Value []byte
}

// Object returns the members of the JSON object in data, in order. Values are
// validated raw sub-slices of data. Duplicate names are returned as they come.
func Object(data []byte) ([]Member, error) {
	v, err := whole(data)
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
		key, err := String(v[i:end])
		if err != nil {
			return nil, err
		}
		vs := skipSpace(v, skipSpace(v, end)+1) // past ':'
		ve, _ := skipValue(v, vs, 1)
		out = append(out, Member{Key: key, Value: v[vs:ve]})
		i = skipSpace(v, ve)
		if v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return out, nil
}

// Array returns the raw elements of the JSON array in data.
func Array(data []byte) ([][]byte, error) {
	v, err := whole(data)
	if err != nil {
		return nil, err
	}
	if v[0] != '[' {
		return nil, ErrType
	}
	var out [][]byte
	i := skipSpace(v, 1)
	for i < len(v) && v[i] != ']' {
		end, _ := skipValue(v, i, 1)
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
