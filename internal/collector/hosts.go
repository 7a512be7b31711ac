package collector

import (
	"net"
	"net/http"
	"strings"
)

// hostCheck refuses requests whose Host header names a host the collector
// does not serve. On loopback this is the defence against DNS rebinding: a
// page on evil.example whose name is made to resolve to 127.0.0.1 reaches
// the collector same-origin, but with Host: evil.example.
type hostCheck struct {
	any   bool
	names map[string]bool
}

// newHostCheck allows hosts when given; else the loopback names (and the
// bound IP) on loopback, and anything elsewhere.
func newHostCheck(hosts []string, bound net.Addr, loopback bool) hostCheck {
	c := hostCheck{names: map[string]bool{}}
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
		c.any = true
	}
	return c
}

// allows reports whether r's Host is served. The port is not compared:
// a rebinding attacker picks the name, not the port.
func (c hostCheck) allows(r *http.Request) bool {
	return c.any || c.names[strings.ToLower(strings.TrimSuffix(hostOnly(r.Host), "."))]
}

// hostOnly strips the port and the brackets of an IPv6 literal.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// forwarded reports whether r came through a proxy that says so. A proxy
// on this machine in front of a loopback collector makes every client look
// local; the open defaults of loopback (reads, faults) then do not apply.
func forwarded(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip", "Via"} {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}
