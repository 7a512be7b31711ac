package ingest

import (
	"testing"
	"time"
)

func TestPaceDeadline(t *testing.T) {
	start := time.Unix(1000, 0)
	p := Pace{Base: 5 * time.Second, Rate: 4096, Limit: 60 * time.Second}
	tests := []struct {
		name string
		p    Pace
		n    int64
		want time.Duration
	}{
		{"nothing yet: the base", p, 0, 5 * time.Second},
		{"4 KB: a second more", p, 4096, 6 * time.Second},
		{"a 64 KB close-time batch", p, 64 << 10, 21 * time.Second},
		{"a megabyte: the limit", p, 1 << 20, 60 * time.Second},
		{"no rate: the base only", Pace{Base: 5 * time.Second}, 1 << 20, 5 * time.Second},
	}
	for _, tt := range tests {
		if got := tt.p.deadline(start, tt.n).Sub(start); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
