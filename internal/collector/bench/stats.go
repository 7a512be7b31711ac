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

// PrintLevels writes the table of levels. "cpu ms/batch" is the
// collector's CPU time (user and system, start-up and shutdown included)
// per acknowledged batch.
func PrintLevels(w io.Writer, levels []Level) {
	fmt.Fprintf(w, "%11s %10s %10s %8s %8s %8s %7s %13s\n", "concurrency", "batches/s", "events/s", "p50 ms", "p99 ms",
		"batches", "errors", "cpu ms/batch")
	for _, l := range levels {
		cpu := 0.0
		if l.Batches > 0 {
			cpu = ms(l.CPU) / float64(l.Batches)
		}
		fmt.Fprintf(w, "%11d %10.0f %10.0f %8.1f %8.1f %8d %7d %13.2f\n", l.Concurrency, l.BatchesPerSec(),
			l.BatchesPerSec()*EventsPerBatch, ms(l.P50), ms(l.P99), l.Batches, l.Errors, cpu)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
