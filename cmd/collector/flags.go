package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/exponea-wasm/tracker/internal/collector"
)

// staticFlag collects repeated -static PREFIX=DIR values.
type staticFlag []collector.StaticMount

func (f *staticFlag) String() string {
	var parts []string
	for _, m := range *f {
		parts = append(parts, m.Prefix+"="+m.Dir)
	}
	return strings.Join(parts, " ")
}

func (f *staticFlag) Set(v string) error {
	prefix, dir, ok := strings.Cut(v, "=")
	if !ok || prefix == "" || dir == "" {
		return fmt.Errorf("want PREFIX=DIR, got %q", v)
	}
	*f = append(*f, collector.StaticMount{Prefix: prefix, Dir: dir})
	return nil
}

// forwardKeyEnv names the environment variable that may hold -forward-key,
// so the secret need not appear in the process list.
const forwardKeyEnv = "COLLECTOR_FORWARD_KEY"

// parseFlags turns the command line into a collector config; getenv reads
// the environment.
func parseFlags(args []string, getenv func(string) string) (collector.Config, error) {
	fs := flag.NewFlagSet("collector", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		cfg                                                            collector.Config
		static                                                         staticFlag
		hosts, projects, keys, private, readKeys, origins, readOrigins string
	)
	fs.StringVar(&cfg.Addr, "addr", collector.DefaultAddr, "listen address; port 0 picks a free port")
	fs.StringVar(&hosts, "hosts", "", "comma-separated host names clients use (Host header); empty: loopback names on loopback, any elsewhere")
	fs.StringVar(&projects, "projects", "", "comma-separated accepted project tokens (empty: any)")
	fs.StringVar(&keys, "keys", "", "comma-separated public API keys (Authorization: Token <key> or access_token)")
	fs.StringVar(&private, "private", "", "comma-separated private access pairs keyId:secret (Authorization: Basic); they may also read")
	fs.StringVar(&readKeys, "read-keys", "", "comma-separated keys for /api/ and /collector/ (Bearer, or the Basic password); needed off loopback")
	fs.BoolVar(&cfg.OpenReads, "open-reads", false, "serve /api/ and /collector/ without credentials on any address (warns)")
	fs.StringVar(&origins, "origins", "", "comma-separated CORS origins allowed to track (* for any)")
	fs.StringVar(&readOrigins, "read-origins", "", "comma-separated CORS origins allowed to read /api/ (none by default; * needs -read-keys)")
	fs.StringVar(&cfg.DBPath, "db", "collector.db", "SQLite database file, or a PostgreSQL connection string postgres://... (password: $PGPASSWORD or ~/.pgpass)")
	fs.IntVar(&cfg.DBConns, "db-conns", 0, "PostgreSQL: connections in the pool (default 8)")
	fs.DurationVar(&cfg.OutboxLease, "outbox-lease", 0, "PostgreSQL relay: how long outbox rows claimed by a relay stay its own without renewal (default 2m; longer than an upstream request may take)")
	fs.Int64Var(&cfg.MaxBody, "max-body", collector.DefaultMaxBody, "request body limit in bytes")
	fs.IntVar(&cfg.MaxReadBytes, "max-read-bytes", collector.DefaultMaxReadBytes, "size cap of one read API answer, in bytes")
	fs.Int64Var(&cfg.MaxReadMemory, "max-read-memory", collector.DefaultMaxReadMemory, "bytes all read API answers in flight may hold; past it a list is answered 503")
	fs.IntVar(&cfg.DedupeIDs, "dedupe-ids", collector.DefaultDedupeIDs, "command ids remembered for dedupe (about 16-32 bytes of memory each)")
	fs.Var(&static, "static", "serve static files, PREFIX=DIR (repeatable)")
	fs.BoolVar(&cfg.Faults, "faults", false, "enable the fault-injection API and POST /api/reset (loopback only; needs the X-Collector-Faults header)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "tracking requests per second per client IP (0: unlimited)")
	fs.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", collector.DefaultReadHeaderTimeout, "time to read a request's header")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", collector.DefaultReadTimeout, "time to read a whole request, at most")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", collector.DefaultBodyTimeout, "time for a tracking request's body to arrive, plus a second per -min-body-rate bytes received")
	fs.IntVar(&cfg.MinBodyRate, "min-body-rate", collector.DefaultMinBodyRate, "bytes a second that earn a slow body more time (see -body-timeout)")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", collector.DefaultWriteTimeout, "time from the end of the header to the end of the answer")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", collector.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	fs.IntVar(&cfg.MaxHeaderBytes, "max-header-bytes", collector.DefaultMaxHeaderBytes, "request header limit in bytes")
	fs.IntVar(&cfg.MaxConns, "max-conns", collector.DefaultMaxConns, "open connections at most; when all are taken idle ones are closed, else clients wait to be accepted")
	fs.IntVar(&cfg.MaxClientConns, "max-client-conns", 0, "open connections of one client (IPv4 address, IPv6 /64) at most (default 64, or a quarter of -max-conns when less)")
	fs.StringVar(&cfg.Forward, "forward", "", "relay: forward accepted commands to this Tracking API base URL (e.g. https://api.exponea.com)")
	fs.StringVar(&cfg.ForwardKey, "forward-key", "", "relay: the project's private key pair keyId:secret (default: $"+forwardKeyEnv+")")
	fs.BoolVar(&cfg.ForwardAllowHTTP, "forward-allow-http", false, "relay: accept a plain http:// -forward URL to another machine (the key and the data travel in clear text)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(nil)
			fs.PrintDefaults()
		}
		return cfg, fmt.Errorf("collector: %w", err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("collector: unexpected arguments %q", fs.Args())
	}
	if cfg.MaxBody <= 0 {
		return cfg, fmt.Errorf("collector: -max-body must be positive")
	}
	cfg.Hosts, cfg.Projects, cfg.Keys, cfg.ReadKeys, cfg.Origins = split(hosts), split(projects), split(keys), split(readKeys), split(origins)
	cfg.ReadOrigins = split(readOrigins)
	cfg.Static = static
	if cfg.ForwardKey == "" {
		cfg.ForwardKey = getenv(forwardKeyEnv) // not a flag default, which -help would print
	}
	if pairs := split(private); len(pairs) > 0 {
		cfg.Private = map[string]string{}
		for _, p := range pairs {
			id, secret, ok := strings.Cut(p, ":")
			if !ok || id == "" || secret == "" {
				return cfg, fmt.Errorf("collector: -private wants keyId:secret, got %q", p)
			}
			cfg.Private[id] = secret
		}
	}
	return cfg, nil
}

// split parses a comma-separated list, dropping blanks.
func split(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
