//go:build unix

package netwrap

import (
	"context"
	"net"
)

// DialFunc is the signature of the dial hooks that libraries take
// (net/http's Transport.DialContext, database drivers, Redis and
// websocket clients, gRPC's context dialer): DialContext and
// Dialer.DialConn have it.
type DialFunc = func(ctx context.Context, network, address string) (net.Conn, error)

var (
	_ DialFunc = DialContext
	_ DialFunc = (*Dialer)(nil).DialConn
)

// DialContext dials with the zero Dialer and returns the connection as a
// net.Conn, so that it plugs straight into a library's dial hook:
//
//	opts.Dialer = netwrap.DialContext // func(ctx, network, addr) (net.Conn, error)
//
// It is Dialer.DialContext otherwise: in a greenlet the connect parks the
// greenlet; from a plain goroutine it is net.Dialer.DialContext; in a hub
// callback it fails with hub.ErrNotCoroutine. On error the returned
// net.Conn is a nil interface (never a nil *Conn inside a non-nil
// interface), so `if c != nil` checks in libraries work.
//
// A dial hook makes a library cooperative only if the library then does
// its I/O on the goroutine that called it (a greenlet); a library that
// reads and writes on goroutines of its own (net/http's Transport, gRPC)
// gains nothing from it, and one whose connection pool waits on Go
// channels still blocks the hub while greenlets wait for a connection.
func DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var d Dialer
	return d.DialConn(ctx, network, address)
}

// DialConn is DialContext with d's settings: Dialer.DialContext returning
// a net.Conn (a nil interface on error). A nil *Dialer dials like the zero
// Dialer.
func (d *Dialer) DialConn(ctx context.Context, network, address string) (net.Conn, error) {
	if d == nil {
		d = &Dialer{}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return c, nil
}
