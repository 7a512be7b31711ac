// Package tracker is the pure core of the SDK: it turns the calls a page
// makes (trackEvent, identifyCustomer, ...) into validated, durable records
// in a queue.Store, in the Bloomreach Engagement command format.
//
// It never imports syscall/js: the browser bindings (package wasm) hand it
// JSON text made by the page's own JSON.stringify and report the time; the
// tracker decides everything else. Every input error is an *InputError that
// names the field and says whether the page should see a TypeError or a
// RangeError.
//
// Identity: the customer cookie (a UUID v4) and the stored customer ids live
// in the store's state under one key, so that every tab of an origin shares
// them and an identifyCustomer in one tab merges into what the others wrote.
// Each record's body is built when it is tracked, so records queued before an
// identity change keep the ids they were tracked with.
package tracker
