package main

import (
	"bytes"
	"os"
	"testing"
)

// The loader's copy of the shared constants is what the Go side says: a
// rule changed on either side alone fails here (run `make generate`).
func TestGeneratedFileIsCurrent(t *testing.T) {
	const path = "../../js/src/constants.gen.js"
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := generate(); !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run `make generate`.\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
