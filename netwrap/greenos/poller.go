//go:build unix

package greenos

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap/internal/deadline"
	"github.com/greenrt/green/netwrap/internal/offload"
)

// poller is the cooperative core of a pollable File (a pipe, FIFO, tty,
// eventfd, socket...): the descriptor of an *os.File that Go's netpoller
// also watches, its registration with the hub of the first greenlet that
// waited on it, and the deadlines as greenlets see them.
//
// Plain goroutines never touch the registration: they call the *os.File's
// methods, which block in Go's netpoller. Greenlets of the bound hub make
// the system calls on the descriptor directly and park on the hub when a
// call would block. The descriptor is in both epoll sets, edge-triggered
// in both; neither steals the other's events.
//
// The descriptor must stay open while a greenlet may use it: close marks
// the file closed and unregisters it on the hub (where no greenlet is
// between its closed check and its system call, since the hub runs one
// thing at a time) before it closes the descriptor. That is why the
// *os.File underneath must only be closed through the File.
type poller struct {
	mu     sync.Mutex // orders bind against close
	reg    atomic.Pointer[binding]
	closed atomic.Bool
	// Deadlines for greenlets. They mirror what was set on the *os.File,
	// which enforces them for plain goroutines.
	dl deadline.Deadlines
}

// binding is a poller's registration with a hub.
type binding struct {
	h  *hub.Hub
	fd *hub.FD
}

// enter classifies the caller of a blocking method. It returns the hub FD
// to park on for a greenlet of the file's hub (binding the file to the
// caller's hub on first use), nil for callers that must take the blocking
// *os.File path (a plain goroutine, a greenlet of another hub), or
// hub.ErrNotCoroutine in a hub callback.
func (p *poller) enter(fd int) (*hub.FD, error) {
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			return nil, hub.ErrNotCoroutine
		}
		return nil, nil
	}
	if b := p.reg.Load(); b != nil {
		if b.h == h {
			return b.fd, nil
		}
		return nil, nil
	}
	return p.bind(h, fd)
}

func (p *poller) bind(h *hub.Hub, fd int) (*hub.FD, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.reg.Load(); b != nil {
		if b.h == h {
			return b.fd, nil
		}
		return nil, nil
	}
	if p.closed.Load() {
		return nil, errClosed
	}
	hfd, err := h.Register(fd)
	if err != nil {
		return nil, err
	}
	p.reg.Store(&binding{h: h, fd: hfd})
	return hfd, nil
}

// expired reports whether the read (or write) deadline has passed.
func (p *poller) expired(write bool) bool { return p.dl.Expired(write) }

// wait parks the calling greenlet until fd is ready in the direction
// asked, honouring the deadline. It returns nil, errDeadline, errClosed,
// ErrConcurrentUse or hub.ErrStopped; kills and timeouts propagate as
// panics from the hub wait.
func (p *poller) wait(fd *hub.FD, write bool) error {
	if err := p.dl.Wait(fd, write); err != nil {
		return deadline.Closed(err, &p.closed, errClosed)
	}
	return nil
}

// close marks the file closed and unregisters it from its hub (waking its
// parked greenlets with os.ErrClosed) before closeFile closes the
// descriptor, so that the hub never holds a number the kernel may reuse.
func (p *poller) close(closeFile func() error) error {
	p.mu.Lock()
	first := !p.closed.Swap(true)
	b := p.reg.Load()
	p.mu.Unlock()
	if first && b != nil {
		unregister := func() { b.fd.Close() }
		switch g, h := hub.Current(); {
		case h == b.h:
			unregister()
		case g != nil:
			// A greenlet of another hub parks while a plain goroutine
			// waits for the file's hub, so that two hubs closing each
			// other's files cannot wedge.
			_, err := offload.Run(context.Background(), func(context.Context) (struct{}, error) {
				_ = b.h.Call(unregister) // fails only once the hub stopped, which dropped it
				return struct{}{}, closeFile()
			})
			return err
		default:
			// A plain goroutine blocks; so does a loop callback of
			// another hub, briefly.
			_ = b.h.Call(unregister)
		}
	}
	return closeFile()
}

// setDeadline records a deadline for greenlets and wakes a greenlet parked
// in that direction so that it re-reads it. The caller sets the same
// deadline on the *os.File for plain goroutines.
func (p *poller) setDeadline(t time.Time, r, w bool) {
	if b := p.reg.Load(); b != nil {
		p.dl.Set(t, r, w, b.h, b.fd)
	} else {
		p.dl.Set(t, r, w, nil, nil)
	}
}
