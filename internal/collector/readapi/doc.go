// Package readapi serves what the collector stored: JSON lists under
// /api/ (events, customers, the relay's outbox), paged by id with a byte
// cap per answer, the counters at /api/stats, and a self-contained page
// at /collector/ that renders them. Every route checks the read
// credentials (access.Reads) first.
package readapi
