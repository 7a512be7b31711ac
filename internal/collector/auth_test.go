package collector

import (
	"encoding/base64"
	"testing"
)

func TestAuthAndProjects(t *testing.T) {
	h := newHarness(t, Config{
		Projects: []string{"p1"},
		Keys:     []string{"pub1", "pub2"},
		Private:  map[string]string{"kid": "s3cret"},
	})
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	tests := []struct {
		name, project, query, authz string
		status                      int
	}{
		{"missing credentials", "p1", "", "", 401},
		{"wrong token", "p1", "", "Token nope", 401},
		{"wrong scheme", "p1", "", "Bearer pub1", 401},
		{"wrong access_token", "p1", "?access_token=nope", "", 401},
		{"wrong private secret", "p1", "", basic("kid", "nope"), 401},
		{"unknown private key", "p1", "", basic("other", "s3cret"), 401},
		{"token", "p1", "", "Token pub1", 200},
		{"second token, lower-case scheme", "p1", "", "token pub2", 200},
		{"access_token", "p1", "?access_token=pub2", "", 200},
		{"basic private access", "p1", "", basic("kid", "s3cret"), 200},
		{"unknown project", "nope", "", "Token pub1", 404},
	}
	stored := 0
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tt.authz != "" {
				hdr["Authorization"] = tt.authz
			}
			r := h.must("POST", "/track/v2/projects/"+tt.project+"/batch"+tt.query,
				batchBody(ev("", "c", tt.name)), hdr)
			wantStatus(t, r, tt.status)
			if tt.status == 200 {
				stored++
			} else if br := decode[batchResult](t, r); br.Success || br.Error == "" {
				t.Errorf("error body: got %s", r.body)
			}
			if got := len(h.events("")); got != stored {
				t.Errorf("after case %d: %d events stored, want %d", i, got, stored)
			}
		})
	}
	st := h.stats()
	if st.RequestsByStatus["401"] != 6 || st.RequestsByStatus["404"] != 1 || st.Requests != int64(len(tests)) {
		t.Errorf("requests_by_status: got %v", st.RequestsByStatus)
	}
}
