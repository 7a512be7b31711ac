package queue

import "slices"

// Run is a closed range of consecutive seqs, [First, Last].
type Run struct{ First, Last int64 }

// Runs groups seqs into runs of consecutive integers, in order, duplicates
// merged. A store can delete a run with one key-range request instead of one
// request per record (in Chromium 50 single deletes cost ~9 ms, one range
// ~1 ms); a run never spans a gap, so a range delete removes exactly the
// seqs given.
func Runs(seqs []int64) []Run {
	s := slices.Clone(seqs)
	slices.Sort(s)
	s = slices.Compact(s)
	var out []Run
	for _, q := range s {
		if n := len(out); n > 0 && out[n-1].Last+1 == q {
			out[n-1].Last = q
			continue
		}
		out = append(out, Run{q, q})
	}
	return out
}
