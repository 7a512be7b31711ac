// Package browser holds the thin bindings the SDK needs beyond IndexedDB:
// awaiting a JavaScript Promise, sending a request with fetch, listening to
// page lifecycle events and writing to the console. Every call goes through
// github.com/hack-pad/safejs, so a browser exception is a Go error.
//
// All files but this one build only for js/wasm.
package browser
