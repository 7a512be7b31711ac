//go:build js && wasm

package dom

import (
	"syscall/js"

	"github.com/hack-pad/safejs"
)

// Exception returns the name and message of a DOMException or Error
// (https://developer.mozilla.org/en-US/docs/Web/API/DOMException).
func Exception(v safejs.Value) (name, msg string) {
	if v.Type() != safejs.TypeObject {
		s, _ := v.String()
		return "", s
	}
	return strProp(v, "name"), strProp(v, "message")
}

func strProp(v safejs.Value, p string) string {
	x, err := v.Get(p)
	if err != nil || x.Type() != safejs.TypeString {
		return ""
	}
	s, _ := x.String()
	return s
}

// Thrown returns the JavaScript value a safejs call threw. safejs has no
// accessor for it (its catch package returns a wrapped js.Error), so this is
// the one place that uses syscall/js directly.
func Thrown(err error) (safejs.Value, bool) {
	for err != nil { // errors.As, without the reflection it costs
		if je, ok := err.(js.Error); ok {
			return safejs.Safe(je.Value), true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			break
		}
		err = u.Unwrap()
	}
	return safejs.Value{}, false
}

// Join writes an exception's name and message as one text ("Name: msg").
func Join(name, msg string) string {
	switch {
	case name == "":
		return msg
	case msg == "":
		return name
	}
	return name + ": " + msg
}
