package tracker

// ErrorClass is the JavaScript error class an input error maps to.
type ErrorClass string

// The classes the bindings know how to construct.
const (
	TypeError  ErrorClass = "TypeError"
	RangeError ErrorClass = "RangeError"
)

// InputError is a rejected call: bad input that was not stored. Field names
// the offending input in the caller's terms ("name", "properties.price").
type InputError struct {
	Class  ErrorClass
	Method string // "trackEvent", "identifyCustomer", "configure", ...
	Field  string
	Msg    string
}

func (e *InputError) Error() string {
	return e.Method + ": " + e.Field + " " + e.Msg
}

func typeErr(method, field, msg string) *InputError {
	return &InputError{Class: TypeError, Method: method, Field: field, Msg: msg}
}

func rangeErr(method, field, msg string) *InputError {
	return &InputError{Class: RangeError, Method: method, Field: field, Msg: msg}
}

// AsInputError returns the *InputError in err's chain, if any: errors.As
// without the reflection it needs (which costs the wasm binary ~25 KB).
func AsInputError(err error) (*InputError, bool) {
	for err != nil {
		if ie, ok := err.(*InputError); ok {
			return ie, true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return nil, false
		}
		err = u.Unwrap()
	}
	return nil, false
}
