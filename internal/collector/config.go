package collector

import (
	"io"
	"log"
	"time"
)

// DefaultMaxBody is the request body limit used when Config.MaxBody is 0.
const DefaultMaxBody = 1 << 20

// Config configures a Server. The zero value plus a DBPath is a working,
// open collector (any project token, no authentication, no CORS).
type Config struct {
	// DBPath is the SQLite file; it is created if missing.
	DBPath string
	// Projects lists the accepted project tokens; empty accepts any token.
	Projects []string
	// Keys lists the accepted public API keys, sent as
	// "Authorization: Token <key>" or the access_token query parameter.
	Keys []string
	// Private maps private key ids to their secrets, sent as
	// "Authorization: Basic base64(keyId:secret)".
	// With no Keys and no Private, requests need no credentials.
	Private map[string]string
	// Origins lists the origins allowed by CORS; "*" allows any origin.
	Origins []string
	// MaxBody is the request body limit in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// Static lists directories served as static files.
	Static []StaticMount
	// Faults enables the fault-injection API and POST /api/reset.
	Faults bool
	// Rate limits tracking requests per second per client IP; 0 is unlimited.
	Rate float64
	// Logger receives warnings; nil discards them.
	Logger *log.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// StaticMount serves the files of Dir under the URL path Prefix.
type StaticMount struct {
	// Prefix is the URL path prefix, such as "/" or "/dist/".
	Prefix string
	// Dir is the directory on disk.
	Dir string
}

func (c *Config) withDefaults() {
	if c.MaxBody == 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.Logger == nil {
		c.Logger = log.New(io.Discard, "", 0)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// unixSeconds is the wire representation of a time: float seconds, to the
// microsecond (about all a float64 holds beside ten integer digits).
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond()/1000)/1e6
}
