package tracker

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseConfigDefaults(t *testing.T) {
	c, err := ParseConfig([]byte(`{"projectToken":"abc","authorization":"Token k","baseUrl":"http://127.0.0.1:8080/"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://127.0.0.1:8080" || c.FlushMode != "immediate" || c.FlushPeriod != time.Hour ||
		c.FlushMaxRetries != 10 || c.Session.Timeout != time.Minute || !c.Session.Automatic || c.DBName != "exponea:abc" {
		t.Errorf("got %+v", c)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		in    string
		class ErrorClass
		field string
	}{
		{`{}`, TypeError, "projectToken"},
		{`[]`, TypeError, "config"},
		{`{"projectToken":5}`, TypeError, "projectToken"},
		{`{"projectToken":"a/b"}`, TypeError, "projectToken"},
		{`{"projectToken":"p","baseUrl":"ftp://x"}`, TypeError, "baseUrl"},
		{`{"projectToken":"p","flushMode":"sometimes"}`, RangeError, "flushMode"},
		{`{"projectToken":"p","flushPeriod":0}`, RangeError, "flushPeriod"},
		{`{"projectToken":"p","flushMaxRetries":1.5}`, TypeError, "flushMaxRetries"},
		{`{"projectToken":"p","flushMaxRetries":0}`, RangeError, "flushMaxRetries"},
		{`{"projectToken":"p","maxQueueRecords":1.5}`, TypeError, "maxQueueRecords"},
		{`{"projectToken":"p","maxQueueBytes":10}`, RangeError, "maxQueueBytes"},
		{`{"projectToken":"p","sessionTimeout":-1}`, RangeError, "sessionTimeout"},
		{`{"projectToken":"p","automaticSessionTracking":"yes"}`, TypeError, "automaticSessionTracking"},
		{`{"projectToken":"p","defaultProperties":[1]}`, TypeError, "defaultProperties"},
	} {
		_, err := ParseConfig([]byte(tc.in))
		var ie *InputError
		if !errors.As(err, &ie) || ie.Class != tc.class || ie.Field != tc.field {
			t.Errorf("ParseConfig(%s): got %v, want %s naming %s", tc.in, err, tc.class, tc.field)
		}
	}
}

func TestAsInputError(t *testing.T) {
	ie := &InputError{Class: RangeError, Method: "m", Field: "f", Msg: "x"}
	if got, ok := AsInputError(fmt.Errorf("wrapped: %w", ie)); !ok || got != ie {
		t.Errorf("wrapped: got %v, %v", got, ok)
	}
	if _, ok := AsInputError(errors.New("other")); ok {
		t.Error("found one in a plain error")
	}
	if _, ok := AsInputError(nil); ok {
		t.Error("found one in nil")
	}
}
