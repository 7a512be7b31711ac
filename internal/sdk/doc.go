// Package sdk is the SDK's core: what a page's calls do, in order, and
// everything the SDK does by itself between them — the flush loop, the
// session timers, the close path's bookkeeping. It never imports
// syscall/js; the browser is a Platform (a store, a sender, a lock, a
// channel between tabs, a clock, a log and an Out for answers and reports),
// which the wasm entry builds from internal/browser and internal/idbstore
// and tests build from fakes.
//
// # Calls
//
// The page's calls arrive in batches (Apply, from a JavaScript callback
// that must not wait) and run on one worker goroutine, in order, with the
// SDK's own work (a session timer, a message from another tab) queued
// between them. A run of trackEvent / identifyCustomer calls is stored in
// one transaction of up to MaxCallsPerApply calls; batches that queue up
// while one is stored run together (group commit). Every call is answered
// through Out.Answers: a value, an *tracker.InputError (bad input, the
// page rejects with a TypeError or RangeError), a *CallError, or an
// *InternalError — a panic, recovered, so that one bug never takes the
// module down; it is also reported to the page's error listeners.
//
// # Sending
//
// The runner feeds the flush scheduler (internal/flush/schedule) with
// triggers — a record stored, the period timer, the retry timer,
// online/offline, flushData — and flushes (internal/flush) on its own
// goroutine while holding the origin's send lock, so one tab sends at a
// time. The page's hiding is the loader's
// business: it sends from its own copy of the unsent records with
// keepalive requests (package closepath, internal/sdk/closepath, keeps that
// copy current and the SDK's own, against which closepath.go settles the
// answers the loader reports).
//
// # The journal
//
// Calls that make a record come with the key of their entry in the page's
// journal; package journal (internal/sdk/journal) applies each entry once,
// however often it is handed over.
//
// # Sessions
//
// sessions.go drives the rules of internal/session from the page's
// visibility reports and two timers: a heartbeat while visible and a tick
// when the shared session would expire.
package sdk
