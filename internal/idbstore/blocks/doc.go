// Package blocks is the encoding of what internal/idbstore keeps in
// IndexedDB: records as the JSON objects of one JSON.parse (AppendJSON,
// ParseJSON), blocks of up to span records in one stored value (Append,
// Parse, ParseSeqs, Count), and what each block held when last read
// (Known), which lets a delete skip reading blocks it empties. The binding
// (internal/idbstore) decides span and assigns the keys.
//
// Pure Go, no syscall/js: tested and fuzzed natively (FuzzCodec,
// FuzzParseBlocks, FuzzReadersMatchReference), and under js/wasm by
// `make test-wasm`.
package blocks
