package postgres

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/postgres/pgtemp"
)

// serverURL is the PostgreSQL the tests use: $COLLECTOR_TEST_POSTGRES
// (make test starts one), or else a throwaway one started here. With
// neither, the tests fail: they are never skipped.
var serverURL string

func TestMain(m *testing.M) {
	url, stop, err := pgtemp.ForTests()
	if err != nil {
		fmt.Fprintf(os.Stderr, "the postgres tests need PostgreSQL: %v\n", err)
		os.Exit(1)
	}
	serverURL = url
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// freshDB creates an empty database and returns its URL.
func freshDB(t *testing.T) string {
	t.Helper()
	url, err := pgtemp.CreateDatabase(context.Background(), serverURL)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// open opens a Store on url, closed at the test's end.
func open(t *testing.T, url string, opt Options) *Store {
	t.Helper()
	st, err := Open(context.Background(), url, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
