//go:build unix

package netwrap

import (
	"fmt"
	"net"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
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

// greenletPipe returns two TCP conns accepted and dialed in greenlets of h:
// bare descriptors that package net adopts only when a plain goroutine
// first uses them (lazyconn.go), which is what nettest's goroutines do.
func greenletPipe(h *hub.Hub, l *Listener) (c1, c2 net.Conn, err error) {
	gl := green.SpawnOn(h, func() error {
		acc := green.Spawn(l.AcceptConn)
		c, err := Dial("tcp", l.Addr().String())
		if err != nil {
			acc.Kill()
			return err
		}
		v, err := acc.Get()
		if err != nil {
			c.Close()
			return err
		}
		c1, c2 = c, v.(*Conn)
		return nil
	})
	return c1, c2, gl.Join()
}

// TestNettestLazyConn runs nettest's suite on conns made in greenlets
// (adopted by package net lazily), and on such conns that a greenlet also
// uses meanwhile, so both descriptors are live.
func TestNettestLazyConn(t *testing.T) {
	checkLeaks(t)
	for _, used := range []bool{false, true} {
		t.Run(fmt.Sprintf("greenlet-used=%v", used), func(t *testing.T) {
			h := newHub(t)
			l, err := Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			nettest.TestConn(t, func() (net.Conn, net.Conn, func(), error) {
				c1, c2, err := greenletPipe(h, l)
				if err != nil {
					return nil, nil, nil, err
				}
				if used {
					inGreenlet(t, h, func() error {
						if _, err := c1.Write(nil); err != nil {
							return err
						}
						_, err := c2.Write(nil)
						return err
					})
				}
				return c1, c2, func() { c1.Close(); c2.Close() }, nil
			})
		})
	}
}
