package collector

import (
	"errors"
	"io"
	"log"
	"slices"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/sqlite"
	"github.com/exponea-wasm/tracker/internal/collector/static"
)

// Defaults for the zero fields of Config.
const (
	DefaultAddr              = "127.0.0.1:8080"
	DefaultMaxBody           = 1 << 20
	DefaultMaxReadBytes      = 8 << 20
	DefaultMaxReadMemory     = 64 << 20
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultBodyTimeout       = 5 * time.Second
	DefaultMinBodyRate       = 4 << 10
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 10 * time.Second
	DefaultMaxHeaderBytes    = 32 << 10
	DefaultMaxConns          = 1024
	DefaultMaxClientConns    = 64 // or a quarter of MaxConns, when less
	DefaultDedupeIDs         = sqlite.DefaultDedupeIDs
)

// StaticMount serves the files of a directory under a URL path prefix.
type StaticMount = static.Mount

// Config configures a Server. The zero value plus a DBPath is a working
// collector on 127.0.0.1:8080: any project token, no credentials for
// tracking, reads open because the address is loopback.
type Config struct {
	// DBPath is the SQLite file, created if missing; or the connection
	// string of a PostgreSQL database (postgres://...), which any number
	// of collectors may share.
	DBPath string
	// DBConns is the size of the PostgreSQL connection pool
	// (postgres.DefaultConns).
	DBConns int
	// OutboxLease is how long a relay on PostgreSQL holds the outbox rows
	// it works on without renewing its claim (postgres.DefaultLease);
	// another relay takes them over after it.
	OutboxLease time.Duration
	// Addr is the TCP address to listen on (DefaultAddr); port 0 picks a
	// free port.
	Addr string
	// Hosts lists the host names requests may carry in their Host header.
	// Empty: the loopback names when Addr is loopback, any host otherwise.
	Hosts []string
	// Projects lists the accepted project tokens; empty accepts any token.
	Projects []string
	// Keys lists the accepted public API keys, sent as
	// "Authorization: Token <key>" or the access_token query parameter.
	Keys []string
	// Private maps private key ids to their secrets, sent as
	// "Authorization: Basic base64(keyId:secret)". They may track and read.
	// With no Keys and no Private, tracking needs no credentials.
	Private map[string]string
	// ReadKeys lists the keys that may read (/api/ and /collector/), sent
	// as "Authorization: Bearer <key>" or as the password of Basic
	// credentials. Reads need a read key or a Private pair unless the
	// collector listens on loopback and no ReadKeys are set.
	ReadKeys []string
	// OpenReads serves reads without credentials on any address, with a
	// warning at start.
	OpenReads bool
	// Origins lists the origins allowed by CORS to track; "*" allows any
	// origin.
	Origins []string
	// ReadOrigins lists the origins allowed by CORS to read (/api/); none
	// by default, so that a page elsewhere cannot read what was stored.
	// "*" needs ReadKeys.
	ReadOrigins []string
	// MaxBody is the request body limit in bytes (DefaultMaxBody).
	MaxBody int64
	// MaxReadBytes caps the body of a read API answer (DefaultMaxReadBytes);
	// the answer then says where the next page starts.
	MaxReadBytes int
	// MaxReadMemory caps the bytes held by all the read answers being
	// built or written at once (DefaultMaxReadMemory); past it a list is
	// answered 503 with Retry-After.
	MaxReadMemory int64
	// DedupeIDs is how many command ids are remembered for dedupe
	// (DefaultDedupeIDs).
	DedupeIDs int
	// Static lists directories served as static files.
	Static []StaticMount
	// Faults enables the fault-injection API and POST /api/reset. Only on
	// a loopback Addr.
	Faults bool
	// Rate limits tracking requests per second per client IP; 0 is unlimited.
	Rate float64
	// Timeouts and limits of the HTTP server (the Default... constants).
	// ReadHeaderTimeout bounds a request's header; ReadTimeout a whole
	// request, body included; WriteTimeout the time from the end of the
	// header to the end of the answer; IdleTimeout a keep-alive
	// connection's wait for its next request.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// BodyTimeout and MinBodyRate pace a tracking request's body: it has
	// BodyTimeout, and one more second for every MinBodyRate bytes that
	// arrive (within ReadTimeout), so a slow but steady client gets
	// through and one that trickles is cut after about BodyTimeout.
	BodyTimeout time.Duration
	MinBodyRate int
	// MaxHeaderBytes bounds a request's header (DefaultMaxHeaderBytes).
	MaxHeaderBytes int
	// MaxConns bounds the open connections (DefaultMaxConns). When they
	// are all taken, the longest idle keep-alive connection is closed to
	// make room; with none idle, further clients wait in the listen queue.
	MaxConns int
	// MaxClientConns bounds the open connections of one client (an IPv4
	// address, an IPv6 /64); a connection over it is closed at once,
	// unless an idle one of the same client can be closed instead.
	// Default: DefaultMaxClientConns, or a quarter of MaxConns when that
	// is less, so that no client can take every slot.
	MaxClientConns int
	// Forward, when set, makes the collector a relay: accepted commands go
	// to a durable outbox and are sent on to the Tracking API at this base
	// URL (such as https://api.exponea.com) instead of being kept.
	Forward string
	// ForwardKey is the private key pair "keyId:secret" the relay sends
	// upstream as Basic credentials.
	ForwardKey string
	// ForwardAllowHTTP accepts a plain http:// Forward URL to a host that
	// is not loopback.
	ForwardAllowHTTP bool
	// Logger receives warnings; nil discards them.
	Logger *log.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	relayBackoff time.Duration // the relay's first and least retry wait; 0: the SDK's
	tallyEvery   time.Duration // how often refused requests' counts are written; 0: 1 s
}

func (c *Config) withDefaults() error {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&c.ReadTimeout, DefaultReadTimeout)
	def(&c.BodyTimeout, DefaultBodyTimeout)
	def(&c.WriteTimeout, DefaultWriteTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.tallyEvery, time.Second)
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxBody == 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.MaxReadBytes == 0 {
		c.MaxReadBytes = DefaultMaxReadBytes
	}
	if c.MaxReadMemory == 0 {
		c.MaxReadMemory = DefaultMaxReadMemory
	}
	if c.DedupeIDs == 0 {
		c.DedupeIDs = DefaultDedupeIDs
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MinBodyRate == 0 {
		c.MinBodyRate = DefaultMinBodyRate
	}
	if c.MaxClientConns == 0 {
		c.MaxClientConns = max(1, min(DefaultMaxClientConns, c.MaxConns/4))
	}
	if c.Logger == nil {
		c.Logger = log.New(io.Discard, "", 0)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	switch {
	case c.DBConns < 0 || c.OutboxLease < 0:
		return errors.New("collector: -db-conns and -outbox-lease must not be negative")
	case c.MaxBody < 0 || c.MaxReadBytes < 0 || c.MaxReadMemory < 0 || c.DedupeIDs < 0 || c.MaxHeaderBytes < 0 || c.MaxConns < 0 || c.MaxClientConns < 0:
		return errors.New("collector: limits must not be negative")
	case c.ReadHeaderTimeout < 0 || c.ReadTimeout < 0 || c.WriteTimeout < 0 || c.IdleTimeout < 0 || c.BodyTimeout < 0 || c.MinBodyRate < 0:
		return errors.New("collector: timeouts must not be negative")
	case c.Rate < 0:
		return errors.New("collector: rate must not be negative")
	case slices.Contains(nonEmpty(c.ReadOrigins), "*") && (len(nonEmpty(c.ReadKeys)) == 0 || c.OpenReads):
		return errors.New("collector: -read-origins '*' needs -read-keys (and no -open-reads): any page could read every stored customer otherwise")
	}
	return nil
}
