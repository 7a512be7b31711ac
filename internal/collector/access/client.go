package access

import (
	"net"
	"net/netip"
)

// Client names the client behind a remote address ("host:port", as
// http.Request.RemoteAddr and net.Conn.RemoteAddr give it) for the
// limits per client: an IPv4 address is a client, and an IPv6 address
// is its /64, the least a single host is given, so that rotating through
// the addresses of one network is one client.
func Client(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.WithZone("").Prefix(64)
	return p.String()
}
