package closepath

import "testing"

func TestParseOutcome(t *testing.T) {
	o, err := ParseOutcome([]byte(`{"ids":["a","b"],"status":200,"body":"{\"results\":[]}","failed":false}`))
	if err != nil || len(o.IDs) != 2 || o.IDs[1] != "b" || o.Response.Status != 200 || string(o.Response.Body) != `{"results":[]}` || o.Failed {
		t.Fatalf("got %+v, %v", o, err)
	}
	if o, err := ParseOutcome([]byte(`{"ids":["a"],"failed":true}`)); err != nil || !o.Failed {
		t.Fatalf("failed: got %+v, %v", o, err)
	}
	for _, bad := range []string{`[]`, `{"ids":[1]}`, `{"status":"x"}`, `{"failed":1}`} {
		if _, err := ParseOutcome([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
