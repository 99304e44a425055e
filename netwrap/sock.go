//go:build unix

package netwrap

import (
	"errors"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap/internal/deadline"
)

// sock is the cooperative core shared by Conn, Listener and PacketConn: the
// descriptor of a package net value, its registration with the hub of the
// first greenlet that used it, and the deadlines as greenlets see them.
//
// Plain goroutines never touch the registration: they call the package net
// value's own methods, which block in Go's netpoller. Greenlets of the bound
// hub make raw non-blocking system calls and park on the hub when the call
// would block. The descriptor is in both epoll sets at once; both are
// edge-triggered and neither steals the other's events.
//
// The descriptor must stay open while a greenlet may use it. close
// guarantees that for sockets netwrap created: it marks the sock closed and
// unregisters it on the hub (where no greenlet is between its closed check
// and its system call, since the hub runs one thing at a time) before it
// closes the descriptor, so their calls can be made directly (Conn does).
// Wrapped sockets, whose former owner might close them behind our back, go
// through syscall.RawConn, which holds the descriptor's reference count for
// the duration of the call.
//
// r and w serialise the callers of each direction, greenlets and plain
// goroutines alike (see ioLock): every read (or accept) holds r and every
// write holds w for its whole length, as package net does, so a caller
// never needs to find the direction free.
type sock struct {
	rc     syscall.RawConn
	fd     int
	mu     sync.Mutex // orders bind against close
	reg    atomic.Pointer[binding]
	closed atomic.Bool
	// bare: the descriptor is netwrap's own (a lazy conn's), closed by
	// the first Close only; later Closes fail with net.ErrClosed.
	bare bool
	r, w ioLock
	// Deadlines for greenlets. They mirror what was set on the package
	// net value, which enforces them for plain goroutines.
	dl deadline.Deadlines
}

// binding is a sock's registration with a hub.
type binding struct {
	h  *hub.Hub
	fd *hub.FD
}

// isNil reports whether v is nil or a nil pointer in an interface (a
// (*net.TCPConn)(nil), whose SyscallConn would panic).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func (s *sock) init(v any) error {
	sc, ok := v.(syscall.Conn)
	if !ok {
		return ErrNotSocket
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	s.rc = rc
	s.fd = -1
	if err := rc.Control(func(fd uintptr) { s.fd = int(fd) }); err != nil {
		return err
	}
	return nil
}

func (s *sock) bind(h *hub.Hub) (*hub.FD, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.reg.Load(); b != nil {
		if b.h == h {
			return b.fd, nil
		}
		return nil, nil
	}
	if s.closed.Load() {
		return nil, errClosed
	}
	fd, err := h.Register(s.fd)
	if err != nil {
		return nil, err
	}
	// EPOLL_CTL_ADD reports what is ready already as a first edge, so
	// the first read can park for it instead of trying for EAGAIN.
	fd.SetReadReady(false)
	s.reg.Store(&binding{h: h, fd: fd})
	return fd, nil
}

// expired reports whether the read (or write) deadline has passed. The
// package net deadline may not be marked expired yet when a hub timer
// says it is: greenlets check their own copy before each system call.
func (s *sock) expired(write bool) bool { return s.dl.Expired(write) }

// begin starts an I/O call in one direction. It classifies the caller
// and takes that direction's lock l, waiting behind the callers before it
// (one function, not two, on this hot path). It returns the hub FD to park
// on when the caller is a greenlet of the sock's hub (binding the sock to
// the caller's hub on first use), or nil when the caller must use the
// blocking package net path: a plain goroutine, or a greenlet of another
// hub. It fails with net.ErrClosed after Close. In a hub loop callback,
// which must never block, it panics with hub.ErrNotCoroutine. On success
// the caller must unlock l when the call ends.
func (s *sock) begin(l *ioLock) (*hub.FD, error) {
	var fd *hub.FD
	if b := s.reg.Load(); b != nil && b.h.Current() != nil {
		// The hot path: a greenlet of the bound hub (one load of that
		// hub's running word, no search for the caller's hub).
		fd = b.fd
	} else if g, h := hub.Current(); g != nil {
		if b := s.reg.Load(); b == nil {
			var err error
			if fd, err = s.bind(h); err != nil {
				return nil, err
			}
		} else if b.h == h {
			fd = b.fd
		}
	} else if h != nil {
		panic(hub.ErrNotCoroutine)
	}
	if !l.state.CompareAndSwap(0, lockHeld) {
		if err := l.lockSlow(); err != nil {
			return nil, err
		}
	}
	return fd, nil
}

// wait parks the calling greenlet until fd is ready in the direction asked,
// honouring the deadline. It returns nil, errDeadline, errClosed or
// hub.ErrStopped. Kills and timeouts propagate as panics from the hub
// wait. The caller holds the direction's lock (r for reads and accepts, w
// for writes), so nobody else of this package waits on that side of fd;
// when a kill unwinds the wait, wait releases that lock on the way, so
// that the callers need no defer on their fast paths.
func (s *sock) wait(fd *hub.FD, write bool) error {
	l := &s.r
	if write {
		l = &s.w
	}
	// A deferred method call, not a closure: the frame, on the stack of
	// every greenlet parked on a socket, stays small (issue 13).
	done := false
	defer l.unlockUnlessDone(&done)
	// Deadlines.Wait's loop, here: one frame fewer under every park.
	for {
		timeout, err := s.dl.Timeout(write)
		if err == nil {
			if write {
				err = fd.WaitWrite(timeout)
			} else {
				err = fd.WaitRead(timeout)
			}
			if deadline.Retry(err) {
				continue
			}
		}
		done = true
		if err != nil {
			return s.waitErr(err)
		}
		return nil
	}
}

// waitErr maps an error of Deadlines.Wait (see deadline.Closed); a helper
// with few arguments, whose spill space in wait's frame is small.
//
//go:noinline
func (s *sock) waitErr(err error) error { return deadline.Closed(err, &s.closed, errClosed) }

// close marks the sock closed and unregisters it from its hub (waking its
// parked greenlets with net.ErrClosed) before closeStd closes the
// descriptor, so that the hub never holds a number the kernel may reuse.
func (s *sock) close(closeStd func() error) error {
	s.mu.Lock()
	first := !s.closed.Swap(true)
	b := s.reg.Load()
	s.mu.Unlock()
	if !first && s.bare {
		return errClosed // closeStd closes the number once, below
	}
	if first {
		// Callers queued behind the one in the system call fail now;
		// that one is woken below (greenlets) or by closeStd.
		s.r.close()
		s.w.close()
	}
	if first && b != nil {
		unregister := func() { b.fd.Close() }
		// Call fails only when the hub has stopped, which dropped the
		// registration already.
		switch g, h := hub.Current(); {
		case h == b.h:
			unregister()
		case g != nil:
			// A greenlet of another hub posts the unregistration and
			// the close to the socket's hub and parks (hub.Call), so
			// that two hubs closing each other's sockets cannot
			// deadlock, no goroutine waits for a wedged hub, and the
			// socket is closed even if the greenlet is killed
			// meanwhile.
			var err error
			if b.h.Call(func() { unregister(); err = closeStd() }) != nil {
				return closeStd() // the hub stopped: nothing is registered
			}
			return err
		default:
			// A plain goroutine blocks; so does a loop callback of
			// another hub, briefly.
			_ = b.h.Call(unregister)
		}
	}
	return closeStd()
}

// setDeadline records a deadline for greenlets and wakes a greenlet parked
// in that direction so that it re-reads it. The caller sets the same
// deadline on the package net value for plain goroutines.
func (s *sock) setDeadline(t time.Time, r, w bool) {
	if b := s.reg.Load(); b != nil {
		s.dl.Set(t, r, w, b.h, b.fd)
	} else {
		s.dl.Set(t, r, w, nil, nil)
	}
}

// rawErr turns the error of a syscall.RawConn call (a *net.OpError with op
// "raw-read" or "raw-write") into the error package net puts in its own
// *net.OpError.
func rawErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	switch {
	case errors.Is(err, errClosed):
		return errClosed
	case errors.Is(err, errDeadline):
		return errDeadline
	}
	return err
}
