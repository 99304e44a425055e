package netwrap

import (
	"net"
	"testing"

	"golang.org/x/net/nettest"
)

// pipe returns two connected conns of kind k, accepted and dialed from
// plain goroutines. With bind set, a greenlet of h first uses each conn
// (binding it to h), so that the suite also checks that the greenlet
// path's state (deadlines, registration) stays coherent with the plain
// goroutine path.
func pipe(t *testing.T, k kind, l *Listener, bind func(net.Conn)) (net.Conn, net.Conn, error) {
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.Accept()
		ch <- res{c, err}
	}()
	c1, err := k.dial(l)
	if err != nil {
		return nil, nil, err
	}
	r := <-ch
	if r.err != nil {
		c1.Close()
		return nil, nil, r.err
	}
	if bind != nil {
		bind(c1)
		bind(r.c)
	}
	return c1, r.c, nil
}

func TestNettestConn(t *testing.T) {
	checkLeaks(t)
	for _, k := range kinds() {
		for _, bound := range []bool{false, true} {
			name := k.name
			if bound {
				name += "/bound"
			}
			t.Run(name, func(t *testing.T) {
				h := newHub(t)
				l := k.listen(t)
				defer l.Close()
				var bind func(net.Conn)
				if bound {
					bind = func(c net.Conn) {
						inGreenlet(t, h, func() error {
							// A zero-length write binds without
							// disturbing the stream.
							_, err := c.Write(nil)
							return err
						})
					}
				}
				nettest.TestConn(t, func() (net.Conn, net.Conn, func(), error) {
					c1, c2, err := pipe(t, k, l, bind)
					if err != nil {
						return nil, nil, nil, err
					}
					return c1, c2, func() { c1.Close(); c2.Close() }, nil
				})
			})
		}
	}
}
