package pgtemp

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestStartServesAndStopRemoves(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), s.URL)
	if err != nil {
		s.Stop()
		t.Fatal(err)
	}
	var one int
	err = conn.QueryRow(context.Background(), "SELECT 1").Scan(&one)
	conn.Close(context.Background())
	if err != nil || one != 1 {
		t.Errorf("SELECT 1: %d, %v", one, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.dir); !os.IsNotExist(err) {
		t.Errorf("folder %s left behind: %v", s.dir, err)
	}
}
