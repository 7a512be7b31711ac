// Package jsbytes lends Go bytes to JavaScript, and JavaScript strings to
// Go readers, without a copy.
//
// Handing a Go string to JavaScript (syscall/js) copies it into a
// JavaScript string during the call, so a string that shares a byte slice's
// memory may be passed as long as the slice is not changed before the call
// returns; the slice can then be reused. That saves a copy of every large
// text the SDK hands over (a batch of records to store, a report, a request
// body), which in WebAssembly is garbage that grows the linear memory, and
// linear memory never shrinks.
package jsbytes

import "unsafe"

// String returns a string that shares b's memory: for a call into
// JavaScript that copies it, with b left unchanged until the call returns.
func String(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Bytes returns s's bytes without a copy, for a reader that never writes
// to them (a parser handed a string that came from JavaScript).
func Bytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
