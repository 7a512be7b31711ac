// Package bridge is the text that crosses between the JavaScript loader
// (js/src/bridge.js) and the Go side: the calls the page makes, in, and
// their answers, out. It is the edge of the SDK: the core (internal/sdk)
// sees typed calls and answers only.
//
// Calls come in batches, one line per call:
//
//	id US method US time US argument LF
//
// (US is U+001F; time is Unix milliseconds). The argument is the page's
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
