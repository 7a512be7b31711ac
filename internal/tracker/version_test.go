package tracker

import (
	"encoding/json"
	"os"
	"testing"
)

// The project has one version, package.json's: the SDK reports it in
// sdk_version, and the Go package and the loader take it from here.
func TestSDKVersionIsPackageJSONs(t *testing.T) {
	b, err := os.ReadFile("../../package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Version != SDKVersion {
		t.Fatalf("package.json says %s, SDKVersion %s: change them together (then make generate)", pkg.Version, SDKVersion)
	}
}
