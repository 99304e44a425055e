//go:build unix

package netwrap

import (
	"net"
	"os"
	"syscall"
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// PacketConn is a cooperative datagram socket (UDP or Unix datagram)
// implementing net.PacketConn. Create one with ListenPacket or
// WrapPacketConn; the zero value is not usable.
//
// It follows Conn's rules: in a greenlet ReadFrom and WriteTo park on the
// hub when the socket is not ready; in a plain goroutine they are the
// package net methods; deadlines and Close wake parked greenlets;
// concurrent readers (and writers) queue, as on a package net socket. The
// zero value is not usable: its methods fail with syscall.EINVAL.
//
// Cost: a ReadFrom in a greenlet allocates the sender's address, as
// package net does.
type PacketConn struct {
	s   sock
	std net.PacketConn

	// Arguments and results of the raw calls, bound hub only.
	rp     []byte
	rn     int
	rsa    unix.Sockaddr
	rerr   error
	wp     []byte
	wsa    unix.Sockaddr
	werr   error
	readF  func(uintptr) bool
	writeF func(uintptr) bool
}

var _ net.PacketConn = (*PacketConn)(nil)

// WrapPacketConn makes pc cooperative; pc must be a *net.UDPConn or a
// *net.UnixConn (or expose such a socket through syscall.Conn), otherwise
// it returns ErrNotSocket. A *PacketConn is returned as it is. The
// PacketConn owns pc.
func WrapPacketConn(pc net.PacketConn) (*PacketConn, error) {
	if isNil(pc) {
		return nil, ErrNotSocket
	}
	if w, ok := pc.(*PacketConn); ok {
		if !w.ok() {
			return nil, ErrNotSocket
		}
		return w, nil
	}
	w := &PacketConn{std: pc}
	if err := w.s.init(pc); err != nil {
		return nil, err
	}
	w.readF = w.rawRead
	w.writeF = w.rawWrite
	return w, nil
}

// ok reports whether c is usable (not nil, not the zero value).
func (c *PacketConn) ok() bool { return c != nil && c.std != nil }

// NetPacketConn returns the package net socket underneath (nil for a nil
// PacketConn).
func (c *PacketConn) NetPacketConn() net.PacketConn {
	if c == nil {
		return nil
	}
	return c.std
}

func (c *PacketConn) rawRead(fd uintptr) bool {
	c.rn, c.rsa, c.rerr = unix.Recvfrom(int(fd), c.rp, 0)
	return true
}

func (c *PacketConn) rawWrite(fd uintptr) bool {
	c.werr = unix.Sendto(int(fd), c.wp, 0, c.wsa)
	return true
}

func (c *PacketConn) opErr(op string, addr net.Addr, err error) error {
	la := c.std.LocalAddr()
	return &net.OpError{Op: op, Net: la.Network(), Source: la, Addr: addr, Err: err}
}

// ReadFrom reads one datagram into p (the excess of a longer one is
// discarded) and returns its length and sender.
func (c *PacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	if !c.ok() {
		return 0, nil, syscall.EINVAL
	}
	fd, err := c.s.begin(&c.s.r)
	if err != nil {
		return 0, nil, c.opErr("read", nil, err)
	}
	var n int
	var from net.Addr
	if fd == nil {
		n, from, err = c.std.ReadFrom(p)
	} else {
		n, from, err = c.readFrom(fd, p)
	}
	c.s.r.unlock()
	return n, from, err
}

// readFrom is ReadFrom for a greenlet of the bound hub, holding the lock.
func (c *PacketConn) readFrom(fd *hub.FD, p []byte) (int, net.Addr, error) {
	for {
		if c.s.expired(false) {
			return 0, nil, c.opErr("read", nil, errDeadline)
		}
		c.rp = p
		err := c.s.rc.Read(c.readF)
		n, sa, rerr := c.rn, c.rsa, c.rerr
		c.rp, c.rsa, c.rerr = nil, nil, nil
		if err != nil {
			return 0, nil, c.opErr("read", nil, rawErr(err))
		}
		switch rerr {
		case nil:
			return n, c.fromSockaddr(sa), nil
		case unix.EINTR:
		case unix.EAGAIN:
			if err := c.s.wait(fd, false); err != nil {
				return 0, nil, c.opErr("read", nil, err)
			}
		default:
			return 0, nil, c.opErr("read", nil, os.NewSyscallError("recvfrom", rerr))
		}
	}
}

// WriteTo sends p as one datagram to addr (a *net.UDPAddr or a
// *net.UnixAddr).
func (c *PacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if !c.ok() {
		return 0, syscall.EINVAL
	}
	fd, err := c.s.begin(&c.s.w)
	if err != nil {
		return 0, c.opErr("write", addr, err)
	}
	var n int
	if fd == nil {
		n, err = c.std.WriteTo(p, addr)
	} else {
		n, err = c.writeTo(fd, p, addr)
	}
	c.s.w.unlock()
	return n, err
}

// writeTo is WriteTo for a greenlet of the bound hub, holding the lock.
func (c *PacketConn) writeTo(fd *hub.FD, p []byte, addr net.Addr) (int, error) {
	sa, err := toSockaddr(addr)
	if err != nil {
		return 0, c.opErr("write", addr, err)
	}
	for {
		if c.s.expired(true) {
			return 0, c.opErr("write", addr, errDeadline)
		}
		c.wp, c.wsa = p, sa
		err := c.s.rc.Write(c.writeF)
		werr := c.werr
		c.wp, c.wsa, c.werr = nil, nil, nil
		if err != nil {
			return 0, c.opErr("write", addr, rawErr(err))
		}
		switch werr {
		case nil:
			return len(p), nil
		case unix.EINTR:
		case unix.EAGAIN:
			if err := c.s.wait(fd, true); err != nil {
				return 0, c.opErr("write", addr, err)
			}
		default:
			return 0, c.opErr("write", addr, os.NewSyscallError("sendto", werr))
		}
	}
}

func (c *PacketConn) fromSockaddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.UDPAddr{IP: net.IP(append([]byte(nil), a.Addr[:]...)), Port: a.Port}
	case *unix.SockaddrInet6:
		ua := &net.UDPAddr{IP: net.IP(append([]byte(nil), a.Addr[:]...)), Port: a.Port}
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				ua.Zone = ifi.Name
			}
		}
		return ua
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unixgram"}
	}
	return nil
}

func toSockaddr(addr net.Addr) (unix.Sockaddr, error) {
	switch a := addr.(type) {
	case *net.UDPAddr:
		if a == nil {
			break
		}
		_, sa := sockaddr(a.AddrPort())
		return sa, nil
	case *net.UnixAddr:
		if a == nil {
			break
		}
		return &unix.SockaddrUnix{Name: a.Name}, nil
	}
	return nil, &net.AddrError{Err: "unsupported address type", Addr: addrString(addr)}
}

func addrString(a net.Addr) string {
	if a == nil {
		return "<nil>"
	}
	return a.String()
}

// Close closes the socket; parked greenlets, and the callers queued
// behind them, fail with net.ErrClosed.
func (c *PacketConn) Close() error {
	if !c.ok() {
		return syscall.EINVAL
	}
	return c.s.close(c.std.Close)
}

// LocalAddr returns the local address (nil for a nil PacketConn).
func (c *PacketConn) LocalAddr() net.Addr {
	if !c.ok() {
		return nil
	}
	return c.std.LocalAddr()
}

// SetDeadline sets the read and write deadlines; see net.PacketConn.
func (c *PacketConn) SetDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if err := c.std.SetDeadline(t); err != nil {
		return err
	}
	c.s.setDeadline(t, true, true)
	return nil
}

// SetReadDeadline sets the read deadline.
func (c *PacketConn) SetReadDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if err := c.std.SetReadDeadline(t); err != nil {
		return err
	}
	c.s.setDeadline(t, true, false)
	return nil
}

// SetWriteDeadline sets the write deadline.
func (c *PacketConn) SetWriteDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if err := c.std.SetWriteDeadline(t); err != nil {
		return err
	}
	c.s.setDeadline(t, false, true)
	return nil
}
