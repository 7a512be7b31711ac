package wire

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
		want []Result // nil: want ErrMalformed
	}{
		{"all success", `{"results":[{"success":true},{"success":true}],"success":true,"start_time":1.5,"end_time":2}`, 2,
			[]Result{{OK: true}, {OK: true}}},
		{"mixed, with errors", `{"results":[{"success":true},{"success":false,"errors":["bad timestamp","no ids"]}],"success":true}`, 2,
			[]Result{{OK: true}, {Errors: []string{"bad timestamp", "no ids"}}}},
		{"error as a string", `{"results":[{"success":false,"error":"nope"}]}`, 1,
			[]Result{{Errors: []string{"nope"}}}},
		{"non-string errors keep their JSON", `{"results":[{"success":false,"errors":[{"field":"x"}]}]}`, 1,
			[]Result{{Errors: []string{`{"field":"x"}`}}}},
		{"failure without errors", `{"results":[{"success":false}]}`, 1, []Result{{}}},
		{"whitespace", " {\n\"results\" : [ {\"success\" : true} ] } ", 1, []Result{{OK: true}}},
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

func TestResultReason(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Errors: []string{"a", "b"}}, "a; b"},
		{Result{}, "rejected by the server"},
	}
	for _, tt := range tests {
		if got := tt.r.Reason(); got != tt.want {
			t.Errorf("got %v, want %v", got, tt.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"success":false,"error":"Invalid project token"}`, "Invalid project token"},
		{`{"success":false,"errors":["a","b"]}`, "a; b"},
		{`{"success":false}`, ""},
		{`Forbidden`, ""},
		{string(AppendError(nil, `bad "json"`)), `bad "json"`},
	}
	for _, tt := range tests {
		if got := ErrorText([]byte(tt.body)); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.body, got, tt.want)
		}
	}
}

// What a server answers with AppendResponse, a client reads back with
// ParseResults as it was.
func TestAppendResponseRoundTrip(t *testing.T) {
	results := []Result{{OK: true}, {Errors: []string{"no \"ids\"", "bad"}}, {OK: true, Time: 1764320000.25}, {}}
	body := AppendResponse(nil, results, 1764320000.25, 1764320000.5)
	want := `{"results":[{"success":true},{"success":false,"errors":["no \"ids\"","bad"]},{"success":true,"time":1764320000.25},{"success":false}],"success":true,"start_time":1764320000.25,"end_time":1764320000.5}`
	if string(body) != want {
		t.Fatalf("got  %s\nwant %s", body, want)
	}
	got, err := ParseResults(body, len(results))
	if err != nil {
		t.Fatal(err)
	}
	for i := range results {
		results[i].Time = 0 // a client does not read the time back
	}
	if !reflect.DeepEqual(got, results) {
		t.Errorf("got %v, want %v", got, results)
	}
}
