package flush

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pure lists the packages that must never reach the browser, so that plain
// `go test -race` can exercise them.
func pure(root string) []string {
	pkgs := []string{"./internal/flush", "./internal/queue"}
	if _, err := os.Stat(filepath.Join(root, "internal", "jsonx")); err == nil {
		pkgs = append(pkgs, "./internal/jsonx")
	}
	return pkgs
}

// TestPurePackagesAvoidSyscallJS fails if syscall/js is among the pure
// packages' dependencies for the host platform (where it cannot build), or
// if, for the wasm target, any non-standard package among them imports it
// (there the standard library itself uses syscall/js, which is fine).
func TestPurePackagesAvoidSyscallJS(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, p := range pure(root) {
		t.Run(p, func(t *testing.T) {
			for _, d := range goList(t, root, nil, "-e", "-deps", p) {
				if d == "syscall/js" {
					t.Errorf("%s depends on syscall/js", p)
				}
			}
			wasm := []string{"GOOS=js", "GOARCH=wasm"}
			lines := goList(t, root, wasm, "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}:{{join .Imports ","}}{{end}}`, p)
			for _, l := range lines {
				pkg, imports, _ := strings.Cut(l, ":")
				for _, imp := range strings.Split(imports, ",") {
					if imp == "syscall/js" {
						t.Errorf("%s depends on %s, which imports syscall/js", p, pkg)
					}
				}
			}
		})
	}
}

// TestFlushImportsStaySmall keeps the heavy packages (reflection-based
// formatting and JSON, the HTTP stack) out of the flusher, which ships in
// the wasm binary.
func TestFlushImportsStaySmall(t *testing.T) {
	imports := goList(t, filepath.Join("..", ".."), nil, "-f", `{{join .Imports " "}}`, "./internal/flush")
	for _, imp := range imports {
		switch imp {
		case "fmt", "encoding/json", "net/http", "reflect", "syscall/js":
			t.Errorf("internal/flush imports %s", imp)
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
