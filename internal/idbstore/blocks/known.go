package blocks

import (
	"slices"
	"sync"
)

// Known remembers which seqs each block held when it was last read,
// so that Delete can delete a block by its key, without reading it first,
// when every seq it held is being deleted.
//
// That is safe because a block only ever loses records: an append puts new
// blocks under keys the key generator never hands out again, and a rewrite
// puts back the same seqs or fewer. What a block held when it was read (or
// when a rewrite of ours completed) is therefore a superset of what it
// holds at any later time, in any tab, and deleting a block whose remembered
// seqs are all being deleted deletes nothing else.
//
// A Known belongs to one connection: a database deleted and created
// again (where keys do start over) comes with a new connection.
type Known struct {
	mu sync.Mutex
	m  map[int64][]int64 // block key → its seqs, ascending
}

// MaxKnown bounds the memory: past it, what is remembered is dropped
// (a block not remembered is read before it is rewritten, as always).
const MaxKnown = 1024

// Note remembers the seqs of blocks just read.
func (k *Known) Note(bs []Block) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m)+len(bs) > MaxKnown {
		k.m = make(map[int64][]int64, len(bs))
	}
	for _, b := range bs {
		k.m[b.Key] = b.Seqs
	}
}

// Split sorts the seqs to delete, del (ascending, no repeats), into the
// keys of the blocks they empty for certain (every remembered seq is in
// del) and the seqs of the other blocks, to be read and rewritten.
func (k *Known) Split(del []int64, span int64) (whole, rest []int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i := 0; i < len(del); {
		key := del[i] / span
		j := i
		for j < len(del) && del[j]/span == key {
			j++
		}
		if held, ok := k.m[key]; ok && subset(held, del[i:j]) {
			whole = append(whole, key)
		} else {
			rest = append(rest, del[i:j]...)
		}
		i = j
	}
	return whole, rest
}

// subset tells whether every element of a is in b; both are ascending.
func subset(a, b []int64) bool {
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			return false
		}
	}
	return true
}

// Set records what a completed rewrite left in each block (none: deleted).
func (k *Known) Set(left map[int64][]int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for key, seqs := range left {
		if len(seqs) == 0 || k.m == nil {
			delete(k.m, key)
			continue
		}
		k.m[key] = seqs
	}
}

// Forget drops what is remembered of the blocks of keys.
func (k *Known) Forget(keys []int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, key := range keys {
		delete(k.m, key)
	}
}
