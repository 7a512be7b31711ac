// Package bridge is the text that crosses between the JavaScript loader
// (js/src/bridge.js) and the Go side: the calls the page makes, in, and
// their answers, out. It is the edge of the SDK: the core (internal/sdk)
// sees typed calls and answers only.
//
// Calls come in batches, one line per call:
//
//	id US method US time US key US entry US argument LF
//
// (US is U+001F; time is Unix milliseconds; key and entry, empty for calls
// the page did not journal, are the record id the page gave the call and
// the page's journal entry it belongs to — see internal/sdk). The argument is the page's
// JSON.stringify output, which never holds a raw LF or US (both are escaped
// inside strings, and no white space is written between tokens), so a
// batch splits without parsing the arguments: one call's argument — nested
// too deeply, say — can only fail that call, never the batch around it.
//
// Answers go back as one JSON array per batch, in any order:
//
//	[{"i":id,"v":value}, {"i":id,"e":{"c":"TypeError","m":"message"}}, ...]
//
// where "v" is absent for a call with no value, and "c" names the
// JavaScript class the loader rejects with (TypeError, RangeError, Error).
package bridge
