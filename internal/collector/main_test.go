package collector

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/postgres/pgtemp"
)

// postgresURL is the PostgreSQL server of the tests that run collectors
// on PostgreSQL: $COLLECTOR_TEST_POSTGRES, or a throwaway one started
// here. Without one the tests fail; they are never skipped.
var postgresURL string

func TestMain(m *testing.M) {
	url, stop, err := pgtemp.ForTests()
	if err != nil {
		fmt.Fprintf(os.Stderr, "the collector's tests need PostgreSQL: %v\n", err)
		os.Exit(1)
	}
	postgresURL = url
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// freshPostgres creates an empty database and returns its URL.
func freshPostgres(t *testing.T) string {
	t.Helper()
	url, err := pgtemp.CreateDatabase(context.Background(), postgresURL)
	if err != nil {
		t.Fatal(err)
	}
	return url
}
