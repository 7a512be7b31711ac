package sdk

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// core lists the packages that must never reach the browser, so that plain
// `go test -race` exercises them: the SDK core and everything it is built
// from. The browser bindings are internal/browser, internal/idbstore (but
// its encoding, internal/idbstore/blocks, is core), internal/idbstore/dom
// and wasm/.
var core = []string{"sdk", "sdk/closepath", "sdk/journal", "idbstore/blocks", "bridge", "tracker", "tracker/useragent", "flush", "flush/retry", "flush/schedule", "session", "queue", "wire", "jsonx"}

// TestCoreNeverReachesTheBrowser fails if syscall/js is among a core
// package's dependencies for the host platform (where it cannot build), or
// if, for the wasm target, any non-standard package among them imports it
// (there the standard library itself uses syscall/js, which is fine).
func TestCoreNeverReachesTheBrowser(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, p := range core {
		t.Run(p, func(t *testing.T) {
			for _, d := range goList(t, root, nil, "-e", "-deps", "./internal/"+p) {
				if d == "syscall/js" {
					t.Errorf("internal/%s depends on syscall/js", p)
				}
			}
			wasm := []string{"GOOS=js", "GOARCH=wasm"}
			for _, l := range goList(t, root, wasm, "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}:{{join .Imports ","}}{{end}}`, "./internal/"+p) {
				pkg, imports, _ := strings.Cut(l, ":")
				for _, imp := range strings.Split(imports, ",") {
					if imp == "syscall/js" {
						t.Errorf("internal/%s depends on %s, which imports syscall/js", p, pkg)
					}
				}
			}
		})
	}
}

// TestCoreImportsStaySmall keeps the heavy packages (reflection-based
// formatting and JSON, URL parsing, the HTTP stack) out of the core, which
// ships in the wasm binary.
func TestCoreImportsStaySmall(t *testing.T) {
	for _, p := range core {
		for _, imp := range goList(t, filepath.Join("..", ".."), nil, "-f", `{{join .Imports " "}}`, "./internal/"+p) {
			switch imp {
			case "fmt", "encoding/json", "net/url", "net/http", "reflect", "syscall/js":
				t.Errorf("internal/%s imports %s", p, imp)
			}
		}
	}
}

func goList(t *testing.T, dir string, env []string, args ...string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool not found: %v", err)
	}
	cmd := exec.Command(goBin, append([]string{"list"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}
