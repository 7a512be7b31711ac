// Package schedule decides when the tracker sends: the flush modes
// (immediate, period, appClose, manual, the SDK's flushMode and
// flushPeriod), the triggers that may call for a send (a record stored, a
// timer, the network coming and going, flushData, a retry coming due), and
// Scheduler, a pure state machine that maps a Trigger at a time, online or
// not, to a Decision: Flush now, and when to Wake next. Package flush does
// the sending; this package never touches the queue, the clock or the
// browser (internal/sdk/purity_test.go checks that it never reaches
// syscall/js), so its tests give it the time.
//
// A browser binding, roughly:
//
//	d := sched.On(trigger, now, navigator.onLine)
//	if d.Flush { res, err := flusher.Flush(ctx, trigger == Manual); ... }
//	keep a period timer at d.Wake firing On(Timer), and a retry timer at res.Next firing On(Due)
//
// In period mode the boundaries are counted from the first trigger after
// the mode or the period was set, and the first trigger of any kind to
// reach a boundary is the send: a boundary is never used up by a trigger
// that does not send (the SDK's loop hands over a stored record's trigger
// before the timer's when both wait). A trigger that finds several
// boundaries passed (the page slept) sends once.
package schedule
