package blocks

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func TestKnownBlocksSplit(t *testing.T) {
	var k Known
	// Block 1 held 50..52, block 2 held 100 and 149; block 3 was never read.
	k.Note([]Block{{Key: 1, Seqs: []int64{50, 51, 52}}, {Key: 2, Seqs: []int64{100, 149}}})
	whole, rest := k.Split([]int64{50, 51, 52, 100, 150, 151}, 50)
	if !slices.Equal(whole, []int64{1}) || !slices.Equal(rest, []int64{100, 150, 151}) {
		t.Fatalf("split = %v, %v; want [1], [100 150 151]", whole, rest)
	}
	// A rewrite that left 149 alone in block 2 makes deleting 149 whole.
	k.Set(map[int64][]int64{2: {149}, 1: nil})
	whole, rest = k.Split([]int64{50, 149}, 50)
	if !slices.Equal(whole, []int64{2}) || !slices.Equal(rest, []int64{50}) {
		t.Fatalf("after set: split = %v, %v; want [2], [50]", whole, rest)
	}
	k.Forget([]int64{2})
	if whole, _ := k.Split([]int64{149}, 50); len(whole) != 0 {
		t.Fatalf("a forgotten block was deleted whole: %v", whole)
	}
}

func TestKnownBlocksBounded(t *testing.T) {
	var k Known
	for key := range int64(3 * MaxKnown) {
		k.Note([]Block{{Key: key, Seqs: []int64{key * 50}}})
	}
	if n := len(k.m); n > MaxKnown {
		t.Fatalf("%d blocks remembered, more than %d", n, MaxKnown)
	}
}

// TestKnownBlocksNeverDeletesMore models a store whose blocks only lose
// records, read, rewritten and deleted in random order, and checks that a
// block split says is whole never holds a record outside the seqs deleted.
func TestKnownBlocksNeverDeletesMore(t *testing.T) {
	const span = 50
	rng := rand.New(rand.NewPCG(1, 2))
	actual := map[int64][]int64{} // the store: block key → seqs
	var k Known
	next := int64(1)
	for step := 0; step < 20000; step++ {
		switch rng.IntN(4) {
		case 0: // append a block
			n := 1 + rng.IntN(span)
			seqs := make([]int64, n)
			for i := range seqs {
				seqs[i] = next*span + int64(i)
			}
			actual[next] = seqs
			next++
		case 1: // read some blocks (as Oldest does)
			var bs []Block
			for key, seqs := range actual {
				if rng.IntN(3) == 0 {
					bs = append(bs, Block{Key: key, Seqs: slices.Clone(seqs)})
				}
			}
			k.Note(bs)
		case 2: // another tab rewrites a block, unseen by k
			for key, seqs := range actual {
				if len(seqs) > 1 {
					actual[key] = slices.Delete(slices.Clone(seqs), 0, 1)
				}
				break
			}
		case 3: // delete a random subset of seqs
			var del []int64
			for _, seqs := range actual {
				for _, s := range seqs {
					if rng.IntN(2) == 0 {
						del = append(del, s)
					}
				}
			}
			slices.Sort(del)
			whole, rest := k.Split(del, span)
			for _, key := range whole {
				if !subset(actual[key], del) {
					t.Fatalf("step %d: block %d deleted whole holds %v, deleting only %v", step, key, actual[key], del)
				}
				delete(actual, key)
			}
			left := map[int64][]int64{}
			for _, s := range rest {
				key := s / span
				if _, ok := left[key]; !ok {
					left[key] = actual[key]
				}
				left[key] = slices.DeleteFunc(slices.Clone(left[key]), func(x int64) bool { return x == s })
			}
			for key, seqs := range left {
				if len(seqs) == 0 {
					delete(actual, key)
				} else {
					actual[key] = seqs
				}
			}
			k.Forget(whole)
			k.Set(left)
		}
	}
}

func TestKnownBlocksConcurrent(t *testing.T) {
	var k Known
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range int64(500) {
				key := int64(g)*1000 + i
				k.Note([]Block{{Key: key, Seqs: []int64{key * 50}}})
				k.Split([]int64{key * 50}, 50)
				k.Set(map[int64][]int64{key: nil})
			}
		}()
	}
	wg.Wait()
}
