// Package retry says how long the sender (internal/flush) waits before it
// tries again: Backoff, the exponential wait with full jitter and a floor
// after failed requests and rejected records, and ParseAfter, the server's
// Retry-After header (delta-seconds or an HTTP-date, capped at MaxAfter).
// Pure Go, no syscall/js (internal/sdk/purity_test.go checks).
package retry
