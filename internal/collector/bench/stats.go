package bench

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// percentile returns the p-th percentile (nearest rank) of d; 0 for none.
// It sorts d.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	rank := int(p/100*float64(len(d))+0.999999) - 1
	return d[min(max(rank, 0), len(d)-1)]
}

// PrintLevels writes the table of levels.
func PrintLevels(w io.Writer, levels []Level) {
	fmt.Fprintf(w, "%11s %10s %10s %8s %8s %8s %7s\n", "concurrency", "batches/s", "events/s", "p50 ms", "p99 ms", "batches", "errors")
	for _, l := range levels {
		fmt.Fprintf(w, "%11d %10.0f %10.0f %8.1f %8.1f %8d %7d\n", l.Concurrency, l.BatchesPerSec(),
			l.BatchesPerSec()*EventsPerBatch, ms(l.P50), ms(l.P99), l.Batches, l.Errors)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
