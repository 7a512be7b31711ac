package access

import (
	"net"
	"net/http"
	"strings"
)

// Hosts refuses requests whose Host header names a host the collector
// does not serve. On loopback this is the defence against DNS rebinding: a
// page on evil.example whose name is made to resolve to 127.0.0.1 reaches
// the collector same-origin, but with Host: evil.example.
type Hosts struct {
	Any   bool // every host is served
	names map[string]bool
}

// NewHosts allows hosts when given; else the loopback names (and the
// bound IP) on loopback, and anything elsewhere.
func NewHosts(hosts []string, bound net.Addr, loopback bool) Hosts {
	c := Hosts{names: map[string]bool{}}
	for _, h := range hosts {
		c.names[strings.ToLower(strings.TrimSuffix(hostOnly(h), "."))] = true
	}
	switch {
	case len(c.names) > 0:
	case loopback:
		for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
			c.names[h] = true
		}
		if ta, ok := bound.(*net.TCPAddr); ok {
			c.names[ta.IP.String()] = true
		}
	default:
		c.Any = true
	}
	return c
}

// Allows reports whether r's Host is served. The port is not compared:
// a rebinding attacker picks the name, not the port.
func (c Hosts) Allows(r *http.Request) bool {
	return c.Any || c.names[strings.ToLower(strings.TrimSuffix(hostOnly(r.Host), "."))]
}

// hostOnly strips the port and the brackets of an IPv6 literal.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// Forwarded reports whether r came through a proxy that says so. A proxy
// on this machine in front of a loopback collector makes every client look
// local; the open defaults of loopback (reads, faults) then do not apply.
func Forwarded(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip", "Via"} {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}
