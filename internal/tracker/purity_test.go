package tracker

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPurePackagesNeverImportSyscallJS keeps the core testable with plain
// go test: no package of the core, nor any non-standard package it depends
// on, imports syscall/js. (On js/wasm the standard library itself uses
// syscall/js underneath; that is the runtime's business, not a binding.)
func TestPurePackagesNeverImportSyscallJS(t *testing.T) {
	pkgs := []string{"./internal/tracker", "./internal/jsonx", "./internal/queue", "./internal/flush", "./internal/session"}
	for _, p := range pkgs {
		cmd := exec.Command("go", "list", "-e", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{join .Imports \" \"}}", p)
		cmd.Dir = "../.."
		cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", p, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || f[1] == "true" {
				continue
			}
			for _, imp := range f[2:] {
				if imp == "syscall/js" {
					t.Errorf("%s (a dependency of %s) imports syscall/js; keep browser bindings out of the core", f[0], p)
				}
			}
		}
	}
}
