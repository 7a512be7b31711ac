// Package jsonx is a small, allocation-light JSON scanner and writer.
//
// The tracker ships as WebAssembly, where encoding/json (reflection) costs
// about 250 KB of brotli-compressed binary and tens of microseconds per event.
// The tracker never needs a JSON document as Go values: it needs to check that
// a text is valid JSON, walk the members of one object or the elements of one
// array, keep values as raw bytes, and write strings and numbers. That is
// what this package does, and no more.
//
// Raw values returned by Object and Array are sub-slices of the input: they
// are validated, never copied, and must not be modified.
package jsonx
