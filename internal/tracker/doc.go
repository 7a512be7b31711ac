// Package tracker turns the calls a page makes (trackEvent,
// identifyCustomer, the session transitions, anonymize) into validated,
// durable records in a queue.Store, as Bloomreach commands (internal/wire),
// and validates the configuration.
//
// It never imports syscall/js: internal/sdk hands it the page's calls, each
// argument the JSON text of the page's own JSON.stringify, with the time of
// the call; the tracker decides everything else. Every input error is an *InputError that
// names the field and says whether the page should see a TypeError or a
// RangeError.
//
// Identity: the customer cookie (a UUID v4) and the stored customer ids live
// in the store's state under one key, so that every tab of an origin shares
// them and an identifyCustomer in one tab merges into what the others wrote.
// Each record's body is built when it is tracked, so records queued before an
// identity change keep the ids they were tracked with.
package tracker
