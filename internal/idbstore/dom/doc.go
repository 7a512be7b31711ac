// Package dom is the little of the DOM that internal/idbstore needs, as Go
// sees it through github.com/hack-pad/safejs: event listeners on an
// EventTarget that call Go (Listen, Send), and the name and message of a
// thrown DOMException (Thrown, Exception). It builds only for js/wasm
// (its files are _js.go); internal/idbstore's wasm tests exercise it
// (`make test-wasm`).
package dom
