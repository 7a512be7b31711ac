// Package faults is the collector's fault injection, for tests only: rules
// posted to /api/faults answer tracking requests with a status and
// Retry-After, delay them, drop their connections (before or after
// storing), or refuse commands of a poisoned event type. The server serves
// it only when asked (-faults) and only on loopback, and every request to
// it must carry the Header, from the same origin and through no proxy.
package faults
