package closepath

import "testing"

func TestURL(t *testing.T) {
	tests := []struct{ auth, want string }{
		{"Token k/+ y", "https://a/batch?access_token=k%2F%2B%20y"},
		{"Basic dTpw", ""},
		{"", "https://a/batch"},
	}
	for _, tt := range tests {
		if got := URL("https://a/batch", tt.auth); got != tt.want {
			t.Errorf("URL(%q) = %s, want %s", tt.auth, got, tt.want)
		}
	}
	if got := BatchURL("https://a", "p q"); got != "https://a/track/v2/projects/p%20q/batch" {
		t.Errorf("BatchURL: %s", got)
	}
}
