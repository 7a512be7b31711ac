package collector

import (
	"context"
	"path/filepath"
	"testing"
)

func TestNewRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no db path", Config{}},
		{"negative body limit", Config{DBPath: filepath.Join(dir, "a.db"), MaxBody: -1}},
		{"static over the API", Config{DBPath: filepath.Join(dir, "b.db"), Static: []StaticMount{{Prefix: "/api/", Dir: dir}}}},
		{"static dir missing", Config{DBPath: filepath.Join(dir, "c.db"), Static: []StaticMount{{Prefix: "/x/", Dir: filepath.Join(dir, "nope")}}}},
		{"static prefix twice", Config{DBPath: filepath.Join(dir, "d.db"), Static: []StaticMount{{Prefix: "/x", Dir: dir}, {Prefix: "/x/", Dir: dir}}}},
		{"in-memory database", Config{DBPath: ":memory:"}},
		{"relay without projects", Config{DBPath: filepath.Join(dir, "e.db"), Forward: "https://u.example", ForwardKey: "a:b"}},
		{"relay to no URL", Config{DBPath: filepath.Join(dir, "f.db"), Projects: []string{"p"}, Forward: "u.example", ForwardKey: "a:b"}},
		{"relay without a key pair", Config{DBPath: filepath.Join(dir, "g.db"), Projects: []string{"p"}, Forward: "https://u.example", ForwardKey: "public"}},
		{"negative timeout", Config{DBPath: filepath.Join(dir, "h.db"), IdleTimeout: -1}},
		{"negative connection cap", Config{DBPath: filepath.Join(dir, "i.db"), MaxConns: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Addr = "127.0.0.1:0"
			if s, err := New(tt.cfg); err == nil {
				s.Shutdown(context.Background())
				t.Fatal("got nil error")
			} else if got := err.Error(); len(got) < 11 || got[:11] != "collector: " {
				t.Errorf("error %q lacks the collector: prefix", got)
			}
		})
	}
}
