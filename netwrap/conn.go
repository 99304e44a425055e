//go:build unix

package netwrap

import (
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// Conn is a cooperative connection implementing net.Conn: a stream (TCP or
// Unix), or a connected datagram socket (UDP or Unix datagram, as Dial
// returns them for "udp" and "unixgram": each Read returns one datagram,
// each Write sends one). Create one with Dial, Accept or Wrap; the zero
// value is not usable (its methods fail with syscall.EINVAL, as those of a
// nil package net conn do).
//
// A Conn is usable from any goroutine. In a greenlet, Read and Write try
// the system call and, when it would block, park the greenlet on its hub
// until the socket is ready, so that the hub runs other greenlets
// meanwhile. In a plain goroutine they block like the methods of the
// package net conn underneath (NetConn), which they are. In a hub loop
// callback, which must never block, they panic with hub.ErrNotCoroutine.
//
// The first greenlet that reads or writes binds the Conn to its hub (one
// epoll registration, no other cost). A greenlet of another hub can still
// use the Conn, but in blocking style: its whole hub waits with it. Keep a
// connection on one hub.
//
// Deadlines apply to both kinds of callers. In a greenlet they are hub
// timers; changing a deadline wakes a parked greenlet, which re-reads it.
// Errors are those of package net: a *net.OpError wrapping net.ErrClosed
// after Close, os.ErrDeadlineExceeded (Timeout() true) after a deadline,
// io.EOF unwrapped at end of stream. Close wakes greenlets parked on the
// Conn with net.ErrClosed.
//
// Concurrent callers queue, as on a package net conn: a Write holds the
// Conn's write side for its whole length, so two writers never interleave
// their bytes, and a second reader (or writer) waits until the first one's
// call has returned, whoever they are: greenlets of any hub (which park
// while they wait) and plain goroutines (which block). Close fails the
// queued callers with net.ErrClosed.
//
// Cost: a read or write that does not block is one system call, two
// uncontended compare-and-swaps (the queue) and no allocation, as with
// package net. A caller that has to queue allocates one waiter.
type Conn struct {
	s     sock
	std   atomic.Pointer[net.Conn] // set once; see netConn
	valid bool                     // made by netwrap: not the zero value
	lazy  *lazyConn                // for TCP conns adopted lazily (lazyconn.go)

	// Arguments and results of the raw calls; touched only by greenlets
	// of the bound hub, which run one at a time, between two parks.
	rp     []byte
	rn     int
	rerr   unix.Errno
	wp     []byte
	wn     int
	werr   unix.Errno
	readF  func(uintptr) bool
	writeF func(uintptr) bool

	// owned is set for conns netwrap created (Accept, Dial): nobody else
	// holds their package net conn, so greenlets make the system calls
	// directly on the descriptor, which Close keeps open until the hub
	// has dropped it (see sock.close). Wrapped conns go through
	// syscall.RawConn, whose reference count protects them from a
	// concurrent Close of the original conn by its former owner.
	owned bool

	// dgram is set for connected datagram sockets: a zero-length read
	// is an empty datagram, not the end of the stream.
	dgram bool

	// stream is set for stream sockets (TCP, Unix), where a read that
	// returns less than asked proves the socket drained (see read). Not
	// for Unix sockets with SO_PASSCRED set when they are wrapped, where
	// a read stops between the messages of different senders.
	stream bool
}

var _ net.Conn = (*Conn)(nil)

// Wrap makes c cooperative. c must expose its socket through syscall.Conn,
// as *net.TCPConn, *net.UnixConn and conns built on them by other libraries
// do; otherwise Wrap returns ErrNotSocket. A *Conn is returned as it is.
// The returned Conn owns c: close the Conn, not c, and do not use c
// directly afterwards.
//
// c may also be a connected *net.UDPConn or Unix datagram conn (as
// net.Dial("udp") returns): the Conn then reads and writes datagrams.
// A nil c, or a nil *Conn, fails with ErrNotSocket.
func Wrap(c net.Conn) (*Conn, error) {
	if isNil(c) {
		return nil, ErrNotSocket
	}
	switch x := c.(type) {
	case *Conn:
		if !x.valid {
			return nil, ErrNotSocket
		}
		return x, nil
	case *net.UDPConn:
		return wrap(c, true)
	case *net.UnixConn:
		// Stream or datagram: ask the socket (Accept and Dial know,
		// and do not come here).
		var dgram, passCred bool
		err := wrapKind(x, &dgram, &passCred)
		if err != nil {
			return nil, err
		}
		w, err := wrap(c, dgram)
		if w != nil && passCred {
			w.stream = false
		}
		return w, err
	}
	return wrap(c, false)
}

// wrapKind sets *dgram if the Unix socket of c is a datagram socket, and
// *passCred if it has SO_PASSCRED set.
func wrapKind(c *net.UnixConn, dgram, passCred *bool) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		var t int
		t, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TYPE)
		*dgram = t == unix.SOCK_DGRAM
		if hasPassCred(int(fd)) {
			*passCred = true
		}
	}); err != nil {
		return err
	}
	return serr
}

// wrap is Wrap for a conn whose kind (stream or datagram) is known.
func wrap(c net.Conn, dgram bool) (*Conn, error) {
	w := &Conn{valid: true, dgram: dgram, stream: !dgram}
	if err := w.s.init(c); err != nil {
		return nil, err
	}
	w.std.Store(&c)
	w.readF = w.rawRead
	w.writeF = w.rawWrite
	return w, nil
}

// ok reports whether c is a usable Conn (not nil, not the zero value).
func (c *Conn) ok() bool { return c != nil && c.valid }

// NetConn returns the package net conn underneath (the one that plain
// goroutines use), nil for a nil or closed Conn. A TCP conn that netwrap
// accepted or dialed in a greenlet has package net adopt its socket now
// if nobody needed it before (see lazyconn.go). Do not close it directly:
// close the Conn.
func (c *Conn) NetConn() net.Conn {
	if !c.ok() {
		return nil
	}
	nc, _ := c.netConn()
	return nc
}

// sysRead makes one read system call for a greenlet of the bound hub. err
// is a package-level failure (closed, deadline); rerr the call's errno (0
// for success).
func (c *Conn) sysRead(p []byte) (n int, rerr unix.Errno, err error) {
	if c.owned {
		if c.s.closed.Load() {
			return 0, 0, errClosed
		}
		n, rerr = sysRead(c.s.fd, p)
		return n, rerr, nil
	}
	c.rp = p
	err = c.s.rc.Read(c.readF)
	n, rerr = c.rn, c.rerr
	c.rp, c.rerr = nil, 0
	if err != nil {
		return 0, 0, rawErr(err)
	}
	return n, rerr, nil
}

// sysWrite is sysRead for write.
func (c *Conn) sysWrite(p []byte) (n int, werr unix.Errno, err error) {
	if c.owned {
		if c.s.closed.Load() {
			return 0, 0, errClosed
		}
		n, werr = sysWrite(c.s.fd, p)
		return n, werr, nil
	}
	c.wp = p
	err = c.s.rc.Write(c.writeF)
	n, werr = c.wn, c.werr
	c.wp, c.werr = nil, 0
	if err != nil {
		return 0, 0, rawErr(err)
	}
	return n, werr, nil
}

func (c *Conn) rawRead(fd uintptr) bool {
	c.rn, c.rerr = sysRead(int(fd), c.rp)
	return true
}

func (c *Conn) rawWrite(fd uintptr) bool {
	c.wn, c.werr = sysWrite(int(fd), c.wp)
	return true
}

func (c *Conn) opErr(op string, err error) error {
	la := c.LocalAddr()
	return &net.OpError{Op: op, Net: la.Network(), Source: la, Addr: c.RemoteAddr(), Err: err}
}

// Read reads up to len(p) bytes. It returns io.EOF at end of stream. On
// a datagram Conn it reads one datagram (the excess of a longer one is
// discarded). A zero-length Read returns 0, nil at once on an open Conn,
// as package net's does.
func (c *Conn) Read(p []byte) (n int, err error) {
	if !c.ok() {
		return 0, syscall.EINVAL
	}
	fd, err := c.s.begin(&c.s.r)
	if err != nil {
		return 0, c.readErr(err)
	}
	// One function and no defer, for the fast path: a kill unwinding the
	// wait releases the lock (see sock.wait); every other way out goes
	// through the unlock at the end. The greenlet's read loop is here,
	// not in a helper: Read's frame is under the park of every handler
	// waiting in Read, and one frame fewer keeps it in the 2 KiB starting
	// stack (issue 13).
	//
	// The loop trusts the hub's readiness state of the descriptor (see
	// hub.FD.ReadReady): on a stream socket a read that returns less than
	// asked proves the socket drained (epoll(7)), so the next read parks
	// until the next edge at once instead of making a system call to
	// learn EAGAIN (as libuv and tokio do); EAGAIN clears the state too,
	// and a read that fills p leaves it set, since more may be waiting.
	switch {
	case fd == nil:
		n, err = c.readStd(p)
	case len(p) == 0:
	default:
		park := c.stream && !fd.ReadReady()
	loop:
		for {
			if park {
				if err = c.s.wait(fd, false); err != nil {
					n, err = 0, c.readErr(err)
					break
				}
			}
			if c.s.expired(false) {
				n, err = 0, c.readErr(errDeadline)
				break
			}
			var rerr unix.Errno
			if n, rerr, err = c.sysRead(p); err != nil {
				n, err = 0, c.readErr(err)
				break
			}
			switch rerr {
			case 0:
				if n == 0 && !c.dgram {
					err = io.EOF
				} else if c.stream {
					fd.SetReadReady(n == len(p))
				}
				break loop
			case unix.EINTR:
				park = false
			case unix.EAGAIN:
				fd.SetReadReady(false) // park until the next edge
				park = true
			default:
				n, err = 0, c.readErr(os.NewSyscallError("read", rerr))
				break loop
			}
		}
	}
	c.s.r.unlock()
	return n, err
}

// readStd is Read for a plain goroutine (or a greenlet of another hub),
// through the package net conn.
//
//go:noinline
func (c *Conn) readStd(p []byte) (int, error) {
	nc, err := c.netConn()
	if err != nil {
		return 0, c.readErr(err)
	}
	return nc.Read(p)
}

// Write writes all of p unless an error (a deadline, Close, a reset)
// stops it, and returns how much was written. Another Write waits until
// this one has returned (its bytes never land inside p's). On a datagram
// Conn it sends p as one datagram.
func (c *Conn) Write(p []byte) (nn int, err error) {
	if !c.ok() {
		return 0, syscall.EINVAL
	}
	fd, err := c.s.begin(&c.s.w)
	if err != nil {
		return 0, c.opErr("write", err)
	}
	if fd == nil {
		var nc net.Conn
		if nc, err = c.netConn(); err != nil {
			err = c.opErr("write", err)
		} else {
			nn, err = nc.Write(p)
		}
		c.s.w.unlock()
		return nn, err
	}
	// As in Read: one function, no defer.
loop:
	for {
		if c.s.expired(true) {
			err = c.opErr("write", errDeadline)
			break
		}
		n, werr, serr := c.sysWrite(p[nn:])
		if serr != nil {
			err = c.opErr("write", serr)
			break
		}
		if n > 0 {
			nn += n
		}
		if nn == len(p) && werr == 0 {
			break
		}
		switch werr {
		case 0:
			if n == 0 {
				err = c.opErr("write", io.ErrUnexpectedEOF)
				break loop
			}
		case unix.EINTR:
		case unix.EAGAIN:
			if err = c.s.wait(fd, true); err != nil {
				err = c.opErr("write", err)
				break loop
			}
		default:
			err = c.opErr("write", os.NewSyscallError("write", werr))
			break loop
		}
	}
	c.s.w.unlock()
	return nn, err
}

// Close closes the connection. Greenlets parked in Read or Write fail with
// net.ErrClosed; so do plain goroutines blocked in them, and every caller
// queued behind them. A second Close returns a *net.OpError wrapping
// net.ErrClosed, as package net does.
func (c *Conn) Close() error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if c.lazy != nil {
		err := c.s.close(c.closeLazy)
		if _, ok := err.(*net.OpError); err != nil && !ok {
			err = c.opErr("close", err)
		}
		return err
	}
	return c.s.close((*c.std.Load()).Close)
}

// LocalAddr returns the local address (nil for a nil Conn).
func (c *Conn) LocalAddr() net.Addr {
	if !c.ok() {
		return nil
	}
	if c.lazy != nil {
		return c.localAddr()
	}
	return (*c.std.Load()).LocalAddr()
}

// RemoteAddr returns the peer's address (nil for a nil Conn).
func (c *Conn) RemoteAddr() net.Addr {
	if !c.ok() {
		return nil
	}
	if c.lazy != nil {
		return c.remoteAddr()
	}
	return (*c.std.Load()).RemoteAddr()
}

// SetDeadline sets the read and write deadlines; see net.Conn.
func (c *Conn) SetDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if c.lazy != nil {
		return c.setDeadlineLazy(t, true, true)
	}
	if err := (*c.std.Load()).SetDeadline(t); err != nil {
		return err
	}
	c.s.setDeadline(t, true, true)
	return nil
}

// SetReadDeadline sets the read deadline; see net.Conn.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if c.lazy != nil {
		return c.setDeadlineLazy(t, true, false)
	}
	if err := (*c.std.Load()).SetReadDeadline(t); err != nil {
		return err
	}
	c.s.setDeadline(t, true, false)
	return nil
}

// SetWriteDeadline sets the write deadline; see net.Conn.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if !c.ok() {
		return syscall.EINVAL
	}
	if c.lazy != nil {
		return c.setDeadlineLazy(t, false, true)
	}
	if err := (*c.std.Load()).SetWriteDeadline(t); err != nil {
		return err
	}
	c.s.setDeadline(t, false, true)
	return nil
}

// WaitRead waits until the conn has data to read (or is at end of stream,
// in error, or closed), without reading: gevent's wait_read for a socket.
// It lets a server hold no buffer while a connection is idle: wait, then
// take a buffer, Read and give it back. It honours the read deadline
// (os.ErrDeadlineExceeded) and returns the errors Read would.
//
// In a greenlet it trusts the hub's readiness state (see Read): after a
// read that drained the socket it parks until the next edge and returns,
// with no system call; only when that state cannot tell (a fresh conn, a
// read that filled its buffer) does it check with one poll(2). An edge
// that arrived before the last read is reported after it, so a WaitRead
// may rarely return with nothing to read (the next Read then parks, as it
// would have anyway). From a plain goroutine it blocks in Go's netpoller.
// It counts as a read: it waits behind the reads before it, and they
// behind it.
func (c *Conn) WaitRead() error {
	if !c.ok() {
		return syscall.EINVAL
	}
	fd, err := c.s.begin(&c.s.r)
	if err != nil {
		return c.readErr(err)
	}
	if fd == nil {
		// Plain goroutine (or foreign hub): the netpoller waits when
		// the callback reports "not ready".
		err = c.waitReadStd()
	} else if over, err2 := c.waitReadNow(fd); over {
		err = err2
	} else if err = c.s.wait(fd, false); err != nil {
		// Parked here, not in a helper: WaitRead's frame is on the
		// stack of every parked handler anyway (issue 13).
		err = c.readErr(err)
	} else {
		// Woken by an edge: the Read that follows must try, not park.
		fd.SetReadReady(true)
	}
	c.s.r.unlock()
	return err
}

// waitReadNow is the part of WaitRead, for a greenlet of the bound hub,
// that does not park: an expired deadline, or the hub's readiness state
// saying "maybe" and the socket readable (or closed). It reports whether
// WaitRead is over, with what error; if not, WaitRead parks for the next
// edge.
//
//go:noinline
func (c *Conn) waitReadNow(fd *hub.FD) (over bool, err error) {
	if c.s.expired(false) {
		return true, c.readErr(errDeadline)
	}
	if !fd.ReadReady() {
		return false, nil
	}
	// Maybe: ask the socket.
	if c.owned {
		// Ours: open while this greenlet runs (see sock.close).
		if c.s.closed.Load() {
			return true, c.readErr(errClosed)
		}
		if readable(c.s.fd) {
			return true, nil
		}
	} else {
		ok := false
		err := c.s.rc.Control(func(fd uintptr) { ok = readable(int(fd)) })
		if err != nil {
			return true, c.readErr(rawErr(err))
		}
		if ok {
			return true, nil
		}
	}
	fd.SetReadReady(false)
	return false, nil
}

// readErr is opErr("read", err), a helper with fewer arguments: their
// spill space is in the frame of WaitRead, which is on the stack of every
// parked handler (issue 13).
//
//go:noinline
func (c *Conn) readErr(err error) error { return c.opErr("read", err) }

// waitReadStd is WaitRead for a plain goroutine (or a greenlet of another
// hub): Go's netpoller waits when the callback reports "not ready".
func (c *Conn) waitReadStd() error {
	nc, err := c.netConn()
	if err == nil {
		var rc syscall.RawConn
		if rc, err = nc.(syscall.Conn).SyscallConn(); err == nil {
			err = rc.Read(func(fd uintptr) bool { return readable(int(fd)) })
		}
	}
	if err != nil {
		return c.opErr("read", rawErr(err))
	}
	return nil
}

// readable reports whether fd has something to read, or an error or
// hang-up to report, without waiting.
func readable(fd int) bool {
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(p, 0)
		if err == unix.EINTR {
			continue
		}
		return err != nil || n > 0
	}
}

// SyscallConn returns the raw connection of the package net conn. On a
// TCP conn that netwrap accepted or dialed in a greenlet, its Control
// called from a greenlet of the conn's hub runs on the conn's own
// descriptor without package net (see NetConn); anything else has
// package net adopt the socket first.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	if !c.ok() {
		return nil, syscall.EINVAL
	}
	if c.lazy == nil {
		return c.s.rc, nil
	}
	return lazyRaw{c}, nil
}
