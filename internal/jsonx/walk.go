package jsonx

import "bytes"

// Member is one member of a JSON object: its name, decoded so that two
// members have equal Keys exactly when JavaScript sees one property (see
// unescapeString), and its raw value. RawKey, when set, is the name exactly as it was written
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
func Object(data []byte) ([]Member, error) { return ObjectNames(data, MaxDepth, nil) }

// ObjectNames is Object with another nesting limit, naming the members
// through names (nil: each name is its own string).
func ObjectNames(data []byte, limit int, names *Names) ([]Member, error) {
	// Collect on the stack, then allocate the result once at its final size
	// rather than growing it by doubling.
	var buf [16]Member
	ms, err := AppendObject(buf[:0], data, limit, names)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return append([]Member(nil), ms...), nil
}

// AppendObject is ObjectNames appending the members to dst, for callers
// that walk an object without keeping its members (dst can then live on
// their stack). On error it returns dst as it was.
func AppendObject(dst []Member, data []byte, limit int, names *Names) ([]Member, error) {
	if out, ok := appendMembers(dst, data, limit, names); ok {
		return out, nil
	}
	// appendMembers accepts exactly the objects wholeLimit accepts, so the
	// validator says what is wrong: a syntax error, or valid JSON that is
	// not an object.
	if _, err := wholeLimit(data, limit); err != nil {
		return dst, err
	}
	return dst, ErrType
}

// appendMembers validates data as one object with white space around it,
// as wholeLimit and skipObject do, and appends its members on the way: one
// pass over the input instead of a validating pass and a collecting one.
// ok is false when data is not a valid object.
func appendMembers(dst []Member, d []byte, limit int, names *Names) (_ []Member, ok bool) {
	i := skipSpace(d, 0)
	if i >= len(d) || d[i] != '{' || limit < 1 { // skipValue gives skipObject limit-1, and it refuses < 0
		return dst, false
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return dst, skipSpace(d, i+1) == len(d)
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return dst, false
		}
		end, err := skipString(d, i)
		if err != nil {
			return dst, false
		}
		rawKey := d[i:end]
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return dst, false
		}
		vs := skipSpace(d, i+1)
		ve, err := skipValue(d, vs, limit-1)
		if err != nil {
			return dst, false
		}
		dst = append(dst, Member{Key: names.name(rawKey), Value: d[vs:ve], RawKey: rawKey})
		i = skipSpace(d, ve)
		if i >= len(d) {
			return dst, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			return dst, skipSpace(d, i+1) == len(d)
		default:
			return dst, false
		}
	}
}

// Names interns member names: a burst of events repeats the same few
// property names, and objects walked with one Names share one string per
// name instead of allocating every name of every object. It is a small
// direct-mapped cache (a hash of the name picks a slot; a new name replaces
// the slot's old one), so it stays cheap to look up — a map costs more
// than the allocation it saves under WebAssembly — and fixed in size. The
// zero value is ready; it is not safe for concurrent use.
type Names struct {
	slot [namesSlots]string
}

const (
	namesSlots = 128 // a power of two
	maxNameLen = 64  // longer names are not kept
)

// name decodes a validated quoted name as Name does. A nil Names interns
// nothing.
func (n *Names) name(raw []byte) string {
	v := raw[1 : len(raw)-1]
	if bytes.IndexByte(v, '\\') >= 0 {
		return unescapeString(v, true) // rare in names: not worth interning
	}
	if n == nil || len(v) > maxNameLen {
		return string(v)
	}
	h := uint32(2166136261) // FNV-1a
	for _, c := range v {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &n.slot[h&(namesSlots-1)]
	if *slot == string(v) { // this comparison does not allocate
		return *slot
	}
	s := string(v)
	*slot = s
	return s
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
