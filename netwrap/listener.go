//go:build unix

package netwrap

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// Listener is a cooperative stream listener (TCP or Unix) implementing
// net.Listener. Create one with Listen or WrapListener; the zero value is
// not usable.
//
// Accept in a greenlet parks it on its hub until a connection arrives; in a
// plain goroutine it blocks like the package net listener underneath; in a
// hub callback it panics with hub.ErrNotCoroutine. Concurrent Accepts
// queue, greenlets and plain goroutines alike, as on a package net
// listener. Close wakes a parked Accept, and those queued behind it, with
// net.ErrClosed. The accepted conns are *Conn. The zero value is not
// usable: its methods fail with syscall.EINVAL.
//
// Cost: an accept of a TCP conn in a greenlet is accept4 and one
// setsockopt (TCP_NODELAY, as package net sets it), and two heap objects;
// package net adopts the socket only if a plain goroutine or another hub
// uses the conn later (see Conn.NetConn). Unix conns are adopted at once
// (net.FileConn: a few more system calls).
type Listener struct {
	s   sock
	std net.Listener

	// Results of the raw accept, touched only on the bound hub.
	afd     int
	asa     unix.Sockaddr
	aerr    error
	acceptF func(uintptr)

	// tcp: the accepted conns are TCP conns, adopted by package net
	// lazily (lazyconn.go).
	tcp bool

	// pending is an accepted connection that could not be adopted for
	// lack of descriptors (net.FileConn duplicates it): it is kept and
	// adopted by the next Accept instead of being dropped.
	pending atomic.Pointer[os.File]
}

var _ net.Listener = (*Listener)(nil)

// WrapListener makes l cooperative. l must expose its socket through
// syscall.Conn (*net.TCPListener and *net.UnixListener do); otherwise it
// returns ErrNotSocket. A *Listener is returned as it is. The Listener
// owns l.
func WrapListener(l net.Listener) (*Listener, error) {
	if isNil(l) {
		return nil, ErrNotSocket
	}
	if w, ok := l.(*Listener); ok {
		if !w.ok() {
			return nil, ErrNotSocket
		}
		return w, nil
	}
	w := &Listener{std: l}
	if err := w.s.init(l); err != nil {
		return nil, err
	}
	w.acceptF = w.rawAccept
	_, w.tcp = l.(*net.TCPListener)
	return w, nil
}

// ok reports whether l is usable (not nil, not the zero value).
func (l *Listener) ok() bool { return l != nil && l.std != nil }

// NetListener returns the package net listener underneath (nil for a nil
// Listener).
func (l *Listener) NetListener() net.Listener {
	if l == nil {
		return nil
	}
	return l.std
}

func (l *Listener) rawAccept(fd uintptr) {
	l.afd, l.asa, l.aerr = accept(int(fd))
}

func (l *Listener) opErr(err error) error {
	a := l.std.Addr()
	return &net.OpError{Op: "accept", Net: a.Network(), Addr: a, Err: err}
}

// Accept waits for and returns the next connection, a *Conn.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.AcceptConn()
	if err != nil {
		return nil, err // not a typed nil
	}
	return c, nil
}

// AcceptConn is Accept returning the concrete type.
func (l *Listener) AcceptConn() (*Conn, error) {
	if !l.ok() {
		return nil, syscall.EINVAL
	}
	fd, err := l.s.begin(&l.s.r)
	if err != nil {
		return nil, l.opErr(err)
	}
	var c *Conn
	if fd == nil {
		c, err = l.acceptStd()
	} else {
		c, err = l.accept(fd)
	}
	l.s.r.unlock()
	return c, err
}

// acceptStd is AcceptConn for a plain goroutine: package net's Accept.
func (l *Listener) acceptStd() (*Conn, error) {
	c, err := l.std.Accept()
	if err != nil {
		return nil, err
	}
	w, err := wrap(c, false)
	if err != nil {
		c.Close()
		return nil, err
	}
	w.owned = true
	return w, nil
}

// accept is AcceptConn for a greenlet of the bound hub, holding the lock.
func (l *Listener) accept(fd *hub.FD) (*Conn, error) {
	if f := l.pending.Load(); f != nil {
		c, err := adoptFile(f, false)
		if err != nil {
			return nil, l.opErr(err)
		}
		l.pending.CompareAndSwap(f, nil)
		return c, nil
	}
	for {
		// A listener's RawConn has no Read; Control holds the
		// descriptor's reference count just the same.
		if l.s.expired(false) {
			return nil, l.opErr(errDeadline)
		}
		err := l.s.rc.Control(l.acceptF)
		nfd, sa, aerr := l.afd, l.asa, l.aerr
		l.aerr, l.asa = nil, nil
		if err != nil {
			return nil, l.opErr(rawErr(err))
		}
		switch aerr {
		case nil:
			if l.tcp {
				return newLazyConn(nfd, addrPort(sa)), nil
			}
			f := os.NewFile(uintptr(nfd), "")
			c, err := adoptFile(f, false)
			if err != nil {
				if outOfDescriptors(err) {
					l.pending.Store(f) // retried by the next Accept
				} else {
					f.Close()
				}
				return nil, l.opErr(err)
			}
			return c, nil
		case unix.EINTR, unix.ECONNABORTED:
		case unix.EAGAIN:
			if err := l.s.wait(fd, false); err != nil {
				return nil, l.opErr(err)
			}
		default:
			return nil, l.opErr(os.NewSyscallError("accept4", aerr))
		}
	}
}

// adoptConn turns a connected socket into a *Conn, taking ownership of fd.
// dgram tells a datagram socket.
func adoptConn(fd int, dgram bool) (*Conn, error) {
	f := os.NewFile(uintptr(fd), "")
	c, err := adoptFile(f, dgram)
	if err != nil {
		f.Close()
	}
	return c, err
}

// adoptFile turns a connected socket into a *Conn. On success it closes f
// (package net works on a duplicate); on failure f is left open.
func adoptFile(f *os.File, dgram bool) (*Conn, error) {
	c, err := net.FileConn(f) // duplicates the descriptor
	if err != nil {
		return nil, err
	}
	f.Close()
	w, err := wrap(c, dgram)
	if err != nil {
		c.Close()
		return nil, err
	}
	w.owned = true
	return w, nil
}

// Close stops listening. A parked Accept fails with net.ErrClosed.
func (l *Listener) Close() error {
	if !l.ok() {
		return syscall.EINVAL
	}
	if f := l.pending.Swap(nil); f != nil {
		f.Close() // an accepted connection never handed out
	}
	return l.s.close(l.std.Close)
}

// Addr returns the listening address (nil for a nil Listener).
func (l *Listener) Addr() net.Addr {
	if !l.ok() {
		return nil
	}
	return l.std.Addr()
}

// SetDeadline sets the deadline for Accept, for greenlets and plain
// goroutines alike. It fails if the package net listener has no deadline.
func (l *Listener) SetDeadline(t time.Time) error {
	if !l.ok() {
		return syscall.EINVAL
	}
	x, ok := l.std.(interface{ SetDeadline(time.Time) error })
	if !ok {
		return l.opErr(ErrNotSocket)
	}
	if err := x.SetDeadline(t); err != nil {
		return err
	}
	l.s.setDeadline(t, true, false)
	return nil
}

// File returns a dup of the listening socket, like
// (*net.TCPListener).File.
func (l *Listener) File() (*os.File, error) {
	if !l.ok() {
		return nil, syscall.EINVAL
	}
	x, ok := l.std.(interface{ File() (*os.File, error) })
	if !ok {
		return nil, l.opErr(ErrNotSocket)
	}
	return x.File()
}

// outOfDescriptors reports whether err is a lack of descriptors or memory,
// after which an accepted connection is worth keeping for a retry.
func outOfDescriptors(err error) bool {
	return errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE) ||
		errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.ENOMEM)
}
