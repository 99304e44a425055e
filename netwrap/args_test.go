//go:build unix

package netwrap

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

// TestZeroReadOnClosedConn: a zero-length Read on a closed conn fails with
// net.ErrClosed in a *net.OpError, as package net does, in a greenlet
// (where it used to return 0, nil) and in a plain goroutine.
func TestZeroReadOnClosedConn(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	check := func(c net.Conn) error {
		if n, err := c.Read(nil); n != 0 || err != nil {
			return fmt.Errorf("zero-length read on an open conn: %d, %v", n, err)
		}
		c.Close()
		n, err := c.Read(nil)
		var oe *net.OpError
		if n != 0 || !errors.Is(err, net.ErrClosed) || !errors.As(err, &oe) || oe.Op != "read" {
			return fmt.Errorf("zero-length read on a closed conn: %d, %v", n, err)
		}
		return nil
	}
	a, b := socketPair(t)
	defer b.Close()
	inGreenlet(t, h, func() error {
		a.Write(nil) // binds a to the hub
		return check(a)
	})
	c, d := socketPair(t)
	defer d.Close()
	if err := check(c); err != nil {
		t.Fatal(err)
	}
}

// TestDialDatagram: Dial("udp"...) and Dial("unixgram"...) work in a
// greenlet (they used to fail with ErrUnknownNetwork there, though they
// worked from a plain goroutine) and return cooperative conns whose Read
// returns one datagram, a zero-length one included (not io.EOF).
func TestDialDatagram(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	dir := t.TempDir()
	cases := []struct{ network, listen string }{
		{"udp", "127.0.0.1:0"},
		{"udp4", "127.0.0.1:0"},
		{"unixgram", filepath.Join(dir, "g")},
	}
	for _, tc := range cases {
		t.Run(tc.network, func(t *testing.T) {
			pc, err := ListenPacket(tc.network, tc.listen)
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			echo := green.SpawnOn(h, func() error {
				buf := make([]byte, 100)
				for {
					n, from, err := pc.ReadFrom(buf)
					if errors.Is(err, net.ErrClosed) {
						return nil
					}
					if err != nil {
						return err
					}
					if from == nil || from.String() == "" || from.String() == "@" {
						continue // an unbound unixgram client: nowhere to answer
					}
					pc.WriteTo(buf[:n], from)
				}
			})
			dialAndEcho := func() error {
				var c *Conn
				var err error
				if tc.network == "unixgram" {
					// A unixgram client needs a name of its own
					// to get answers.
					la := &net.UnixAddr{Name: filepath.Join(dir, fmt.Sprintf("c%d", time.Now().UnixNano())), Net: "unixgram"}
					d := Dialer{LocalAddr: la}
					c, err = d.Dial(tc.network, pc.LocalAddr().String())
				} else {
					c, err = Dial(tc.network, pc.LocalAddr().String())
				}
				if err != nil {
					return err
				}
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				for _, msg := range []string{"one", "", "three"} {
					if _, err := c.Write([]byte(msg)); err != nil {
						return err
					}
					b := make([]byte, 100)
					n, err := c.Read(b)
					if err != nil || string(b[:n]) != msg {
						return fmt.Errorf("echo of %q: %q, %v", msg, b[:n], err)
					}
				}
				return nil
			}
			inGreenlet(t, h, dialAndEcho)
			if err := dialAndEcho(); err != nil { // plain goroutine
				t.Fatal(err)
			}
			pc.Close()
			if err := echo.Join(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// noPanic runs fn and turns a panic into a test failure naming what.
func noPanic(t *testing.T, what string, fn func() error) error {
	t.Helper()
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s panicked: %v\n%s", what, r, debug.Stack())
			}
		}()
		err = fn()
	}()
	return err
}

// failer returns a check that fn fails (with any error) without panicking.
func failer(t *testing.T) func(what string, fn func() error) {
	return func(what string, fn func() error) {
		t.Helper()
		if err := noPanic(t, what, fn); err == nil {
			t.Errorf("%s: no error", what)
		}
	}
}

// TestBadArguments: nil and zero values given to netwrap's functions and
// methods give an error, never a nil-pointer panic, in a greenlet and in
// a plain goroutine.
func TestBadArguments(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	mustFail := failer(t)
	run := func() error {
		var nc *Conn
		var nl *Listener
		var np *PacketConn
		var nd *Dialer
		mustFail("Wrap(nil)", func() error { _, err := Wrap(nil); return err })
		mustFail("Wrap((*Conn)(nil))", func() error { _, err := Wrap(nc); return err })
		mustFail("Wrap((*net.TCPConn)(nil))", func() error { _, err := Wrap((*net.TCPConn)(nil)); return err })
		mustFail("WrapListener(nil)", func() error { _, err := WrapListener(nil); return err })
		mustFail("WrapListener((*Listener)(nil))", func() error { _, err := WrapListener(nl); return err })
		mustFail("WrapPacketConn(nil)", func() error { _, err := WrapPacketConn(nil); return err })
		mustFail("WrapPacketConn((*PacketConn)(nil))", func() error { _, err := WrapPacketConn(np); return err })
		for _, c := range []*Conn{nc, {}} {
			mustFail("Conn.Read", func() error { _, err := c.Read(make([]byte, 1)); return err })
			mustFail("Conn.Write", func() error { _, err := c.Write([]byte("x")); return err })
			mustFail("Conn.Close", c.Close)
			mustFail("Conn.SetDeadline", func() error { return c.SetDeadline(time.Now()) })
			mustFail("Conn.SetReadDeadline", func() error { return c.SetReadDeadline(time.Now()) })
			mustFail("Conn.SetWriteDeadline", func() error { return c.SetWriteDeadline(time.Now()) })
			mustFail("Conn.WaitRead", c.WaitRead)
			mustFail("Conn.CloseRead", c.CloseRead)
			mustFail("Conn.CloseWrite", c.CloseWrite)
			mustFail("Conn.SetNoDelay", func() error { return c.SetNoDelay(true) })
			mustFail("Conn.SetKeepAlive", func() error { return c.SetKeepAlive(true) })
			mustFail("Conn.SetKeepAlivePeriod", func() error { return c.SetKeepAlivePeriod(time.Second) })
			mustFail("Conn.SyscallConn", func() error { _, err := c.SyscallConn(); return err })
			noPanic(t, "Conn.LocalAddr", func() error { c.LocalAddr(); c.RemoteAddr(); c.NetConn(); return nil })
		}
		for _, l := range []*Listener{nl, {}} {
			mustFail("Listener.Accept", func() error { _, err := l.Accept(); return err })
			mustFail("Listener.Close", l.Close)
			mustFail("Listener.SetDeadline", func() error { return l.SetDeadline(time.Now()) })
			mustFail("Listener.File", func() error { _, err := l.File(); return err })
			noPanic(t, "Listener.Addr", func() error { l.Addr(); l.NetListener(); return nil })
		}
		for _, p := range []*PacketConn{np, {}} {
			mustFail("PacketConn.ReadFrom", func() error { _, _, err := p.ReadFrom(make([]byte, 1)); return err })
			mustFail("PacketConn.WriteTo", func() error {
				_, err := p.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9})
				return err
			})
			mustFail("PacketConn.Close", p.Close)
			mustFail("PacketConn.SetDeadline", func() error { return p.SetDeadline(time.Now()) })
			mustFail("PacketConn.SetReadDeadline", func() error { return p.SetReadDeadline(time.Now()) })
			mustFail("PacketConn.SetWriteDeadline", func() error { return p.SetWriteDeadline(time.Now()) })
			noPanic(t, "PacketConn.LocalAddr", func() error { p.LocalAddr(); p.NetPacketConn(); return nil })
		}
		pc, err := ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer pc.Close()
		mustFail("WriteTo(nil addr)", func() error { _, err := pc.WriteTo([]byte("x"), nil); return err })
		mustFail("WriteTo((*UDPAddr)(nil))", func() error { _, err := pc.WriteTo([]byte("x"), (*net.UDPAddr)(nil)); return err })
		mustFail("Dial bad network", func() error { _, err := Dial("carrier-pigeon", "x"); return err })
		mustFail("Dial empty address", func() error { _, err := Dial("tcp", ""); return err })
		mustFail("(*Dialer)(nil).Dial", func() error { _, err := nd.Dial("tcp", "127.0.0.1:1"); return err })
		mustFail("DialContext(nil ctx)", func() error {
			//lint:ignore SA1012 a nil context on purpose
			_, err := nd.DialContext(nil, "tcp", "127.0.0.1:1") //nolint:staticcheck
			return err
		})
		mustFail("DialContext func, nil ctx", func() error {
			//lint:ignore SA1012 a nil context on purpose
			_, err := DialContext(nil, "tcp", "127.0.0.1:1") //nolint:staticcheck
			return err
		})
		mustFail("Listen bad network", func() error { _, err := Listen("udp", ":0"); return err })
		mustFail("ListenPacket bad network", func() error { _, err := ListenPacket("tcp", ":0"); return err })
		mustFail("WaitRead(-1)", func() error { return WaitRead(-1, time.Second) })
		mustFail("WaitWrite(-1)", func() error { return WaitWrite(-1, -1) })
		return nil
	}
	inGreenlet(t, h, run)
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
