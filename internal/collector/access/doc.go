// Package access decides who may do what at the collector: the
// credentials of tracking requests (Tracking), who may read (Reads), the
// Host names served (Hosts, the defence against DNS rebinding), which
// origins may read answers cross-origin (CORS), and whether a proxy says
// it forwarded a request (Forwarded), which closes the open defaults of
// loopback.
package access
