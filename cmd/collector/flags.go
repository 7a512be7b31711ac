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

// parseFlags turns the command line into a collector config and the
// listen address.
func parseFlags(args []string) (collector.Config, string, error) {
	fs := flag.NewFlagSet("collector", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		cfg      collector.Config
		static   staticFlag
		addr     = fs.String("addr", "127.0.0.1:8080", "listen address; port 0 picks a free port")
		projects = fs.String("projects", "", "comma-separated accepted project tokens (empty: any)")
		keys     = fs.String("keys", "", "comma-separated public API keys (Authorization: Token <key> or access_token)")
		private  = fs.String("private", "", "comma-separated private access pairs keyId:secret (Authorization: Basic)")
		origins  = fs.String("origins", "", "comma-separated allowed CORS origins (* for any)")
	)
	fs.StringVar(&cfg.DBPath, "db", "collector.db", "SQLite database file")
	fs.Int64Var(&cfg.MaxBody, "max-body", collector.DefaultMaxBody, "request body limit in bytes")
	fs.Var(&static, "static", "serve static files, PREFIX=DIR (repeatable)")
	fs.BoolVar(&cfg.Faults, "faults", false, "enable the fault-injection API and POST /api/reset")
	fs.Float64Var(&cfg.Rate, "rate", 0, "tracking requests per second per client IP (0: unlimited)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(nil)
			fs.PrintDefaults()
		}
		return cfg, "", fmt.Errorf("collector: %w", err)
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("collector: unexpected arguments %q", fs.Args())
	}
	if cfg.MaxBody <= 0 {
		return cfg, "", fmt.Errorf("collector: -max-body must be positive")
	}
	cfg.Projects, cfg.Keys, cfg.Origins = split(*projects), split(*keys), split(*origins)
	cfg.Static = static
	if pairs := split(*private); len(pairs) > 0 {
		cfg.Private = map[string]string{}
		for _, p := range pairs {
			id, secret, ok := strings.Cut(p, ":")
			if !ok || id == "" || secret == "" {
				return cfg, "", fmt.Errorf("collector: -private wants keyId:secret, got %q", p)
			}
			cfg.Private[id] = secret
		}
	}
	return cfg, *addr, nil
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
