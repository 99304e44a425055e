//go:build unix

package netwrap

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// Lazy adoption by package net.
//
// A TCP conn that netwrap accepts or dials in a greenlet starts as a bare
// non-blocking descriptor: greenlets of its hub make their system calls on
// it directly and never need a package net conn. Package net adopts the
// socket (net.FileConn on a duplicate of the descriptor: the dup, its
// socket-option and address calls, a registration with Go's netpoller, and
// some ten heap objects) only when something needs it: a plain goroutine's
// Read, Write or WaitRead, a greenlet of another hub, SyscallConn, NetConn.
// Connections that greenlets alone serve, the usual server case, never pay
// for it. After adoption both descriptors refer to the one socket: the
// greenlets keep theirs, the package net conn has its own, and Close closes
// both (see closeLazy).
//
// The addresses come from accept4 and connect (the peer) and from one
// getsockname the first time LocalAddr is asked (an error path asks too).

// lazyConn is the state of a lazily adopted conn.
type lazyConn struct {
	raddr netip.AddrPort
	local atomic.Pointer[net.TCPAddr]
	peer  atomic.Pointer[net.TCPAddr]

	// What the owner set before adoption, which net.FileConn would
	// otherwise override (it turns Nagle off and keep-alive on): 0 not
	// set, 1 on, -1 off.
	noDelay, keepAlive int8
	keepAlivePeriod    time.Duration
}

// newLazyConn makes a Conn of the connected, non-blocking TCP socket fd,
// which it owns from now on; raddr is the peer. It sets TCP_NODELAY, as
// package net does on the conns it accepts and dials.
func newLazyConn(fd int, raddr netip.AddrPort) *Conn {
	c := &Conn{valid: true, owned: true, stream: true, lazy: &lazyConn{raddr: raddr}}
	c.s.fd = fd
	c.s.bare = true
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	return c
}

// addrPort converts a socket address of accept4 or connect.
func addrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr)
		if a.ZoneId != 0 {
			zone := strconv.Itoa(int(a.ZoneId))
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				zone = ifi.Name
			}
			ip = ip.WithZone(zone)
		}
		return netip.AddrPortFrom(ip, uint16(a.Port))
	}
	return netip.AddrPort{}
}

func tcpAddr(ap netip.AddrPort) *net.TCPAddr {
	a := net.TCPAddrFromAddrPort(ap)
	if ap.Addr().Is4() {
		a.IP = a.IP.To16() // as package net's conns report it
	}
	return a
}

// netConn returns the package net conn under c, having package net adopt
// the descriptor first if c is lazy and nobody asked yet. It fails with
// errClosed after Close.
func (c *Conn) netConn() (net.Conn, error) {
	if p := c.std.Load(); p != nil {
		return *p, nil
	}
	return c.adopt()
}

func (c *Conn) adopt() (net.Conn, error) {
	s := &c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := c.std.Load(); p != nil {
		return *p, nil
	}
	if s.closed.Load() {
		return nil, errClosed
	}
	// net.FileConn duplicates the descriptor of the file it is given and
	// leaves that file to its owner, whose Close would close ours: give
	// it a duplicate of ours.
	dup, err := unix.FcntlInt(uintptr(s.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(dup), "")
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	// Re-apply what net.FileConn overrides, and the deadlines so far
	// (SetDeadline holds mu on lazy conns, so none is lost meanwhile).
	l := c.lazy
	if tc, ok := nc.(*net.TCPConn); ok {
		if l.noDelay < 0 {
			tc.SetNoDelay(false)
		}
		if l.keepAlive < 0 {
			tc.SetKeepAlive(false)
		} else if l.keepAlive > 0 && l.keepAlivePeriod > 0 {
			tc.SetKeepAlivePeriod(l.keepAlivePeriod)
		}
	}
	if d := s.dl.Get(false); !d.IsZero() {
		nc.SetReadDeadline(d)
	}
	if d := s.dl.Get(true); !d.IsZero() {
		nc.SetWriteDeadline(d)
	}
	c.std.Store(&nc)
	return nc, nil
}

// closeLazy closes a lazy conn's descriptor, and the package net conn if
// it was adopted. sock.close calls it once the hub has dropped the
// descriptor.
func (c *Conn) closeLazy() error {
	err := unix.Close(c.s.fd)
	if err != nil {
		err = os.NewSyscallError("close", err)
	}
	if p := c.std.Load(); p != nil {
		if cerr := (*p).Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// localAddr and remoteAddr are LocalAddr and RemoteAddr of a lazy conn.
func (c *Conn) localAddr() net.Addr {
	l := c.lazy
	if a := l.local.Load(); a != nil {
		return a
	}
	a := &net.TCPAddr{}
	if sa, err := unix.Getsockname(c.s.fd); err == nil {
		a = tcpAddr(addrPort(sa))
	}
	l.local.Store(a)
	return a
}

func (c *Conn) remoteAddr() net.Addr {
	l := c.lazy
	if a := l.peer.Load(); a != nil {
		return a
	}
	a := tcpAddr(l.raddr)
	l.peer.Store(a)
	return a
}

// setDeadlineLazy is the SetDeadline family on a lazy conn: under mu, so
// that an adoption in progress applies the new deadline or sees it.
func (c *Conn) setDeadlineLazy(t time.Time, r, w bool) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if p := c.std.Load(); p != nil {
		if err := setStdDeadline(*p, t, r, w); err != nil {
			return err
		}
	} else if c.s.closed.Load() {
		return c.opErr("set", errClosed)
	}
	c.s.setDeadline(t, r, w)
	return nil
}

func setStdDeadline(nc net.Conn, t time.Time, r, w bool) error {
	switch {
	case r && w:
		return nc.SetDeadline(t)
	case r:
		return nc.SetReadDeadline(t)
	}
	return nc.SetWriteDeadline(t)
}

// sockopt sets an integer socket option on a lazy conn's descriptor.
func (c *Conn) sockopt(level, opt, v int) error {
	if c.s.closed.Load() {
		return c.opErr("set", errClosed)
	}
	if err := unix.SetsockoptInt(c.s.fd, level, opt, v); err != nil {
		return c.opErr("set", os.NewSyscallError("setsockopt", err))
	}
	return nil
}

func flag(on bool) (int, int8) {
	if on {
		return 1, 1
	}
	return 0, -1
}

// CloseRead shuts down the reading side (TCP and Unix conns).
func (c *Conn) CloseRead() error { return c.shutdown(unix.SHUT_RD) }

// CloseWrite shuts down the writing side: the peer reads io.EOF (TCP and
// Unix conns).
func (c *Conn) CloseWrite() error { return c.shutdown(unix.SHUT_WR) }

func (c *Conn) shutdown(how int) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if c.lazy != nil {
		if c.s.closed.Load() {
			return c.opErr("close", errClosed)
		}
		if err := unix.Shutdown(c.s.fd, how); err != nil {
			return c.opErr("close", os.NewSyscallError("shutdown", err))
		}
		return nil
	}
	nc, _ := c.netConn()
	type closeReader interface{ CloseRead() error }
	type closeWriter interface{ CloseWrite() error }
	if x, ok := nc.(closeReader); ok && how == unix.SHUT_RD {
		return x.CloseRead()
	}
	if x, ok := nc.(closeWriter); ok && how == unix.SHUT_WR {
		return x.CloseWrite()
	}
	return c.opErr("close", syscall.EINVAL)
}

// SetNoDelay controls Nagle's algorithm on a TCP conn (package net turns
// it off, noDelay true, by default, and so does netwrap). It fails with
// syscall.EINVAL on other conns.
func (c *Conn) SetNoDelay(noDelay bool) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if l := c.lazy; l != nil {
		v, f := flag(noDelay)
		c.s.mu.Lock()
		defer c.s.mu.Unlock()
		l.noDelay = f
		return c.sockopt(unix.IPPROTO_TCP, unix.TCP_NODELAY, v)
	}
	nc, _ := c.netConn()
	if x, ok := nc.(*net.TCPConn); ok {
		return x.SetNoDelay(noDelay)
	}
	return c.opErr("set", syscall.EINVAL)
}

// SetKeepAlive turns TCP keep-alive probes on or off (TCP conns only).
// Conns that netwrap accepts in a greenlet start without them (package
// net's Accept turns them on, with a 15 s period); dialed ones follow
// Dialer.KeepAlive.
func (c *Conn) SetKeepAlive(on bool) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if l := c.lazy; l != nil {
		v, f := flag(on)
		c.s.mu.Lock()
		defer c.s.mu.Unlock()
		l.keepAlive = f
		return c.sockopt(unix.SOL_SOCKET, unix.SO_KEEPALIVE, v)
	}
	nc, _ := c.netConn()
	if x, ok := nc.(*net.TCPConn); ok {
		return x.SetKeepAlive(on)
	}
	return c.opErr("set", syscall.EINVAL)
}

// SetKeepAlivePeriod sets the idle time before keep-alive probes and
// between them (TCP conns only), as package net does.
func (c *Conn) SetKeepAlivePeriod(d time.Duration) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if l := c.lazy; l != nil {
		switch {
		case d < 0:
			return nil // as package net: unchanged
		case d == 0:
			d = 15 * time.Second // package net's default
		}
		secs := int((d + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		c.s.mu.Lock()
		defer c.s.mu.Unlock()
		l.keepAlivePeriod = d
		if err := c.sockopt(unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, secs); err != nil {
			return err
		}
		return c.sockopt(unix.IPPROTO_TCP, tcpKeepIdle, secs)
	}
	nc, _ := c.netConn()
	if x, ok := nc.(*net.TCPConn); ok {
		return x.SetKeepAlivePeriod(d)
	}
	return c.opErr("set", syscall.EINVAL)
}

// lazyRaw is the syscall.RawConn of a lazy conn. Control from a greenlet
// runs f on the conn's own descriptor, binding the conn to the greenlet's
// hub if it was not bound (so that a Close from elsewhere waits for the
// hub, see sock.close, and the descriptor stays open while f runs);
// everything else goes to package net's RawConn, adopting the socket.
type lazyRaw struct{ c *Conn }

func (r lazyRaw) Control(f func(fd uintptr)) error {
	c := r.c
	if g, h := hub.Current(); g != nil {
		b := c.s.reg.Load()
		if b == nil {
			if _, err := c.s.bind(h); err != nil {
				return c.opErr("raw-control", err)
			}
			b = c.s.reg.Load()
		}
		if b != nil && b.h == h {
			if c.s.closed.Load() {
				return c.opErr("raw-control", errClosed)
			}
			f(uintptr(c.s.fd))
			return nil
		}
	}
	rc, err := r.std()
	if err != nil {
		return err
	}
	return rc.Control(f)
}

func (r lazyRaw) Read(f func(fd uintptr) bool) error {
	rc, err := r.std()
	if err != nil {
		return err
	}
	return rc.Read(f)
}

func (r lazyRaw) Write(f func(fd uintptr) bool) error {
	rc, err := r.std()
	if err != nil {
		return err
	}
	return rc.Write(f)
}

func (r lazyRaw) std() (syscall.RawConn, error) {
	nc, err := r.c.netConn()
	if err != nil {
		return nil, r.c.opErr("raw", err)
	}
	return nc.(syscall.Conn).SyscallConn()
}
