// Package deadline holds the read and write deadlines of a descriptor that
// greenlets wait on (netwrap's sockets, greenos's files), and the wait that
// honours them: one copy of the rules that package net's poller follows
// (an expired deadline fails with os.ErrDeadlineExceeded; a deadline moved
// while a greenlet is parked wakes it to re-read it).
//
// A Deadlines is safe for concurrent use. Its zero value has no deadline.
// Set costs two atomic stores and, when a greenlet may be parked, one post
// to the descriptor's hub; Wait one atomic load per park.
package deadline

import (
	"errors"
	"os"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// errChanged is the Cancel error with which Set wakes a parked greenlet so
// that it re-reads the deadline. Wait never returns it.
var errChanged = errors.New("netwrap: deadline changed")

// Deadlines is a read and a write deadline as Unix nanoseconds (0: none).
type Deadlines struct{ r, w atomic.Int64 }

func (d *Deadlines) of(write bool) *atomic.Int64 {
	if write {
		return &d.w
	}
	return &d.r
}

// Get returns the deadline of a direction, or the zero time.
func (d *Deadlines) Get(write bool) time.Time {
	if ns := d.of(write).Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Expired reports whether the direction's deadline has passed.
func (d *Deadlines) Expired(write bool) bool {
	ns := d.of(write).Load()
	return ns != 0 && ns <= time.Now().UnixNano()
}

// Set records t (zero: none) for the directions asked and, when fd is not
// nil, wakes the greenlets parked on fd in those directions (on h, from
// any goroutine) so that they re-read it.
func (d *Deadlines) Set(t time.Time, r, w bool, h *hub.Hub, fd *hub.FD) {
	var ns int64
	if !t.IsZero() {
		if ns = t.UnixNano(); ns == 0 {
			ns = 1
		}
	}
	if r {
		d.r.Store(ns)
	}
	if w {
		d.w.Store(ns)
	}
	if fd == nil {
		return
	}
	cancel := func() {
		if !fd.Closed() {
			fd.Cancel(r, w, errChanged)
		}
	}
	if h.OnHub() {
		cancel()
		return
	}
	_ = h.Post(cancel) // fails only once the hub has stopped
}

// Wait parks the calling greenlet until fd is ready in the direction asked,
// honouring the deadline. It returns nil, os.ErrDeadlineExceeded,
// hub.ErrFDClosed (the descriptor was unregistered: see Closed) or the
// hub's error; kills and timeouts propagate as panics from the hub wait.
// Its frame, and its arguments' spill space in the caller's, are on the
// stack of every greenlet parked on a descriptor: a caller whose frame is
// on that stack anyway can run the same loop itself, with Timeout and
// Retry, and save this frame (netwrap's sockets do: issue 13).
func (d *Deadlines) Wait(fd *hub.FD, write bool) error {
	for {
		timeout, err := d.Timeout(write)
		if err != nil {
			return err
		}
		if write {
			err = fd.WaitWrite(timeout)
		} else {
			err = fd.WaitRead(timeout)
		}
		if !Retry(err) {
			return err
		}
	}
}

// Timeout returns the timeout of the next hub wait in a direction: -1
// without a deadline, what is left of it otherwise, or
// os.ErrDeadlineExceeded once it has passed.
func (d *Deadlines) Timeout(write bool) (time.Duration, error) {
	if ns := d.of(write).Load(); ns != 0 {
		if t := until(ns); t > 0 {
			return t, nil
		}
		return 0, os.ErrDeadlineExceeded
	}
	return -1, nil
}

// Retry reports whether err, from a hub wait that Timeout bounded, means
// the deadline must be read again and the wait made again: the wait timed
// out (the deadline may have moved later meanwhile) or Set moved the
// deadline.
func Retry(err error) bool { return err == hub.ErrTimeout || err == errChanged }

// Closed maps an error of Wait: hub.ErrFDClosed becomes errClosed when
// closed reports the descriptor closed by its owner, hub.ErrStopped
// otherwise (the hub closed it); other errors are returned as they are.
//
//go:noinline
func Closed(err error, closed *atomic.Bool, errClosed error) error {
	if err != hub.ErrFDClosed {
		return err
	}
	if closed.Load() {
		return errClosed
	}
	return hub.ErrStopped
}

// until returns the time left until the deadline ns (Unix nanoseconds).
//
//go:noinline
func until(ns int64) time.Duration { return time.Duration(ns - time.Now().UnixNano()) }
