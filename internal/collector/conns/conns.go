// Package conns admits the collector's connections: at most a total
// number open at once, at most a smaller number from any one client (an
// IPv4 address, an IPv6 /64: access.Client), and, when the slots run out,
// the connections idle between two requests (keep-alive) are closed to
// make room before anyone waits. So a few clients that open many
// connections, or leave them idle, or send slowly, cannot keep the others
// out: a client over its share is refused at once (its connection is
// closed, and clients retry), and what it does hold is bounded by the
// server's timeouts.
package conns

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/access"
)

// Listener wraps a net.Listener with the caps. The http.Server that
// serves it must report its connections' states to ConnState.
type Listener struct {
	net.Listener
	total, perClient int

	mu       sync.Mutex
	changed  *sync.Cond // a connection closed or went idle, or the listener closed
	open     int
	byClient map[string][]*Conn
	closed   bool
}

// New caps ln at total connections, perClient from one client.
func New(ln net.Listener, total, perClient int) *Listener {
	l := &Listener{Listener: ln, total: max(total, 1), perClient: max(perClient, 1), byClient: map[string][]*Conn{}}
	l.changed = sync.NewCond(&l.mu)
	return l
}

// Conn is an admitted connection; closing it frees its slot.
type Conn struct {
	net.Conn
	l         *Listener
	client    string
	idleSince time.Time // zero unless idle between requests
	released  bool      // its slot is free (under l.mu)
}

// Accept returns the next connection that fits: one from a client at its
// cap is closed at once, unless one of that client's own idle
// connections can be closed instead; when every slot is taken, the
// longest idle connection is closed, and if none is idle Accept waits for
// a slot (the clients after it wait in the kernel's listen queue).
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		conn, err := l.admit(c)
		if err != nil {
			c.Close()
			return nil, err
		}
		if conn != nil {
			return conn, nil
		}
		c.Close() // over its client's share
	}
}

// admit takes a slot for c, or returns nil when c's client is at its cap
// with nothing idle to give up.
func (l *Listener) admit(c net.Conn) (*Conn, error) {
	client := access.Client(c.RemoteAddr().String())
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.byClient[client]) >= l.perClient {
		victim := oldestIdle(l.byClient[client])
		if victim == nil {
			return nil, nil
		}
		l.evict(victim)
	}
	for l.open >= l.total {
		if l.closed {
			return nil, net.ErrClosed
		}
		if victim := l.oldestIdleAny(); victim != nil {
			l.evict(victim)
			continue
		}
		l.changed.Wait()
	}
	conn := &Conn{Conn: c, l: l, client: client}
	l.open++
	l.byClient[client] = append(l.byClient[client], conn)
	return conn, nil
}

// ConnState is the http.Server's ConnState hook: it learns which
// connections are idle between requests.
func (l *Listener) ConnState(c net.Conn, s http.ConnState) {
	conn, ok := c.(*Conn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateIdle:
		conn.idleSince = time.Now()
		l.changed.Broadcast()
	default:
		conn.idleSince = time.Time{}
	}
}

// Close stops accepting; connections already admitted stay open.
func (l *Listener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.changed.Broadcast()
	l.mu.Unlock()
	return l.Listener.Close()
}

// Close closes the connection and frees its slot, once.
func (c *Conn) Close() error {
	err := c.Conn.Close()
	c.l.mu.Lock()
	c.l.release(c)
	c.l.mu.Unlock()
	return err
}

// evict closes an idle connection and frees its slot; the server's
// goroutine reading from it ends on the closed connection.
func (l *Listener) evict(c *Conn) {
	c.Conn.Close()
	l.release(c)
}

// release frees c's slot unless it is free already; l.mu is held.
func (l *Listener) release(c *Conn) {
	if c.released {
		return
	}
	c.released = true
	l.open--
	list := l.byClient[c.client]
	for i, o := range list {
		if o == c {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(l.byClient, c.client)
	} else {
		l.byClient[c.client] = list
	}
	l.changed.Broadcast()
}

// oldestIdleAny returns the connection idle for longest, or nil.
func (l *Listener) oldestIdleAny() *Conn {
	var oldest *Conn
	for _, list := range l.byClient {
		if c := oldestIdle(list); c != nil && (oldest == nil || c.idleSince.Before(oldest.idleSince)) {
			oldest = c
		}
	}
	return oldest
}

// oldestIdle returns the connection of list idle for longest, or nil.
func oldestIdle(list []*Conn) *Conn {
	var oldest *Conn
	for _, c := range list {
		if !c.idleSince.IsZero() && (oldest == nil || c.idleSince.Before(oldest.idleSince)) {
			oldest = c
		}
	}
	return oldest
}
