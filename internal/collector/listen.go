package collector

import "net"

// isLoopback reports whether addr, a listener's address, accepts only
// connections from this machine. An unspecified address (0.0.0.0, ::)
// listens on every interface, so it is not.
func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
