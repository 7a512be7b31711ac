package flush

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseResults(t *testing.T) {
	tests := []struct {
		name string
		body string
		n    int
		want []Outcome // nil: want ErrMalformed
	}{
		{"all success", `{"results":[{"success":true},{"success":true}],"success":true,"start_time":1.5,"end_time":2}`, 2,
			[]Outcome{{OK: true}, {OK: true}}},
		{"mixed, with errors", `{"results":[{"success":true},{"success":false,"errors":["bad timestamp","no ids"]}],"success":true}`, 2,
			[]Outcome{{OK: true}, {Errors: []string{"bad timestamp", "no ids"}}}},
		{"error as a string", `{"results":[{"success":false,"error":"nope"}]}`, 1,
			[]Outcome{{Errors: []string{"nope"}}}},
		{"non-string errors keep their JSON", `{"results":[{"success":false,"errors":[{"field":"x"}]}]}`, 1,
			[]Outcome{{Errors: []string{`{"field":"x"}`}}}},
		{"failure without errors", `{"results":[{"success":false}]}`, 1, []Outcome{{}}},
		{"whitespace", " {\n\"results\" : [ {\"success\" : true} ] } ", 1, []Outcome{{OK: true}}},
		{"fewer results than commands", `{"results":[{"success":true}],"success":true}`, 2, nil},
		{"more results than commands", `{"results":[{"success":true},{"success":true}]}`, 1, nil},
		{"no results", `{"success":true}`, 1, nil},
		{"results not an array", `{"results":{"success":true}}`, 1, nil},
		{"result without success", `{"results":[{"errors":[]}]}`, 1, nil},
		{"success not a boolean", `{"results":[{"success":"true"}]}`, 1, nil},
		{"result not an object", `{"results":[true]}`, 1, nil},
		{"garbage", `<html>502 Bad Gateway</html>`, 1, nil},
		{"truncated", `{"results":[{"success":true}`, 1, nil},
		{"empty", ``, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResults([]byte(tt.body), tt.n)
			if tt.want == nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("got %v, %v, want ErrMalformed", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOutcomeReason(t *testing.T) {
	tests := []struct {
		o    Outcome
		want string
	}{
		{Outcome{Errors: []string{"a", "b"}}, "a; b"},
		{Outcome{}, "rejected by the server"},
	}
	for _, tt := range tests {
		if got := tt.o.Reason(); got != tt.want {
			t.Errorf("got %v, want %v", got, tt.want)
		}
	}
}

func TestServerReason(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"success":false,"error":"Invalid project token"}`, "Invalid project token"},
		{`{"success":false,"errors":["a","b"]}`, "a; b"},
		{`{"success":false}`, ""},
		{`Forbidden`, ""},
	}
	for _, tt := range tests {
		if got := serverReason([]byte(tt.body)); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.body, got, tt.want)
		}
	}
}
