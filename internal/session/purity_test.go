package session

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStaySmall keeps the package pure (no syscall/js) and keeps
// heavy packages (reflection-based formatting and JSON, URL parsing, the
// HTTP stack) out of it, for it ships in the wasm binary.
func TestImportsStaySmall(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, ".")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, imp := range strings.Fields(string(out)) {
		switch imp {
		case "fmt", "encoding/json", "net/url", "net/http", "reflect", "syscall/js":
			t.Errorf("internal/session imports %s", imp)
		}
	}
}
