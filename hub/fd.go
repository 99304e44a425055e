package hub

import "time"

// FD is a file descriptor registered with a hub for readiness
// notifications. It is registered once, edge-triggered, for read and write;
// waiting costs no system call. Each direction has at most one waiter: a
// coroutine parked in WaitRead/WaitWrite or a one-shot callback from
// OnRead/OnWrite.
//
// Every method must be called on the FD's hub. An FD does not own the
// descriptor: Close unregisters it and the caller closes the descriptor
// afterwards.
type FD struct {
	h      *Hub
	fd     int
	gen    uint32
	closed bool
	// hup is sticky: the peer shut down or an error is pending, so a read
	// never blocks again and SetReadReady(false) must not make readers
	// wait for an edge that will not come (the end of stream is no data:
	// the short read before it does not consume it).
	hup  bool
	r, w fdSide
}

type fdSide struct {
	ready bool        // an edge arrived and was not consumed yet
	g     *G          // parked waiter
	seq   uint32      // its park
	cb    func(error) // callback waiter
	err   error       // set by cancel for the waiter to return
}

// Register registers fd (which should be in non-blocking mode) with h. The
// descriptor starts out assumed ready in both directions, so the first
// read or write is attempted before any wait. Hub-only.
func (h *Hub) Register(fd int) (*FD, error) {
	h.mustOnHub()
	if h.stopping {
		return nil, ErrStopped
	}
	if fd < 0 || fd > 1<<31-1 {
		return nil, ErrFDClosed
	}
	h.fdGen++
	if h.fdGen == wakeGen {
		h.fdGen++
	}
	d := &FD{h: h, fd: fd, gen: h.fdGen}
	d.r.ready, d.w.ready = true, true
	if err := h.poll.add(fd, pollToken{fd: int32(fd), gen: d.gen}); err != nil {
		return nil, err
	}
	if old := h.fds.set(fd, d); old != nil {
		// The number was reused after a close that was never
		// unregistered: the old registration is dead.
		old.closed = true
		old.cancel(true, true, ErrFDClosed)
	}
	return d, nil
}

// Fd returns the descriptor number.
func (d *FD) Fd() int { return d.fd }

// Closed reports whether Close was called.
func (d *FD) Closed() bool { return d.closed }

// ReadReady reports whether the read side may be ready: an edge arrived
// (or the FD was just registered) and no wait consumed it since, and no
// SetReadReady(false) said the descriptor was drained; or a hang-up or
// error was reported (that state is sticky). False means that
// a read would find nothing until the next edge: the caller may park
// (WaitRead) without trying. Hub-only, unchecked (a hot path).
func (d *FD) ReadReady() bool { return d.r.ready || d.hup }

// SetReadReady records what the caller learnt about the read side: false
// after a read that proves the descriptor drained (EAGAIN, or a short read
// on a stream socket: epoll(7)), so that the next read parks until the
// next edge instead of making a system call to learn it; true after a read
// that may have left data behind (it filled the buffer), so that the next
// WaitRead does not park on an edge that already came and went. Edges that
// arrive later set it again, so false is never wrong for long: it is
// cleared only by what proves the descriptor empty at that moment.
// Hub-only, unchecked (a hot path).
func (d *FD) SetReadReady(ready bool) { d.r.ready = ready }

// WaitRead parks the calling coroutine until fd is readable (or at EOF or in
// error), the timeout expires (timeout < 0: never) or the FD is closed. It
// returns nil, ErrTimeout, ErrFDClosed, ErrFDBusy if another coroutine is
// waiting to read, or the error given to Cancel. An interrupt (kill,
// timeout object) is raised as a panic after the wait is undone.
func (d *FD) WaitRead(timeout time.Duration) error { return d.wait(&d.r, timeout) }

// WaitWrite is WaitRead for write readiness.
func (d *FD) WaitWrite(timeout time.Duration) error { return d.wait(&d.w, timeout) }

func (d *FD) wait(s *fdSide, timeout time.Duration) error {
	h := d.h
	g := h.Current()
	if g == nil {
		h.mustInCoroutine()
	}
	if d.closed {
		return ErrFDClosed
	}
	if s.g != nil || s.cb != nil {
		return ErrFDBusy
	}
	if s.ready {
		s.ready = false
		return nil
	}
	if timeout == 0 {
		return ErrTimeout
	}
	s.g, s.seq, s.err = g, g.seq, nil
	h.waits++
	op := WaitRead
	if s == &d.w {
		op = WaitWrite
	}
	g.what, g.op = d, op
	res := g.Park(timeout)
	if s.g == g {
		s.g = nil
		h.waits--
	}
	err := s.err
	s.err = nil
	switch res {
	case Interrupted:
		g.Raise()
	case TimedOut:
		return ErrTimeout
	}
	if err != nil {
		return err
	}
	if d.closed {
		return ErrFDClosed
	}
	s.ready = false
	return nil
}

// OnRead calls cb(nil) on the loop once fd is readable, or cb(err) if the
// FD is closed or cancelled first. It returns ErrFDBusy if a waiter is
// already registered. This is the callback style of the hub's low-level
// API: cb runs in the loop and must not park.
func (d *FD) OnRead(cb func(error)) error { return d.on(&d.r, cb) }

// OnWrite is OnRead for write readiness.
func (d *FD) OnWrite(cb func(error)) error { return d.on(&d.w, cb) }

func (d *FD) on(s *fdSide, cb func(error)) error {
	d.h.mustOnHub()
	if d.closed {
		return ErrFDClosed
	}
	if s.g != nil || s.cb != nil {
		return ErrFDBusy
	}
	if s.ready {
		s.ready = false
		d.h.ready.push(entry{fn: fireCallback, arg: cb})
		return nil
	}
	d.h.waits++
	s.cb = cb
	return nil
}

func fireCallback(arg any) { arg.(func(error))(nil) }

// fdReady is the poller's event callback.
func (h *Hub) fdReady(tok pollToken, r, w, hup bool) {
	d := h.fds.get(int(tok.fd))
	if d == nil || d.gen != tok.gen {
		return // stale: the descriptor was unregistered or its number reused
	}
	if hup {
		d.hup = true
	}
	if r {
		d.r.ready = true
		d.notify(&d.r, nil)
	}
	if w {
		d.w.ready = true
		d.notify(&d.w, nil)
	}
}

// notify wakes the side's waiter, if any, with err.
func (d *FD) notify(s *fdSide, err error) {
	h := d.h
	if g := s.g; g != nil {
		s.g = nil
		s.err = err
		h.waits--
		g.Wake(s.seq)
		return
	}
	if cb := s.cb; cb != nil {
		if h.running.Load()&pollBit != 0 {
			// Called from the poller (fdReady): the wait is over, and
			// the callback holds the hub like any other.
			storeRunning(h, h.loopCtx.gid)
		}
		s.cb = nil
		if err == nil {
			s.ready = false
		}
		h.waits--
		h.callback(func(any) { cb(err) }, nil)
	}
}

// Cancel ends the current waits on the FD (read, write or both) with err,
// which WaitRead/WaitWrite return and callbacks receive. It is how callers
// implement deadlines. Hub-only.
func (d *FD) Cancel(read, write bool, err error) {
	d.h.mustOnHub()
	d.cancel(read, write, err)
}

func (d *FD) cancel(read, write bool, err error) {
	if read {
		d.notify(&d.r, err)
	}
	if write {
		d.notify(&d.w, err)
	}
}

// Close unregisters the FD and ends its waits with ErrFDClosed. It does not
// close the descriptor. Closing twice is a no-op. Hub-only.
func (d *FD) Close() error {
	h := d.h
	h.mustOnHub()
	if d.closed {
		return nil
	}
	d.closed = true
	h.fds.remove(d)
	err := h.poll.del(d.fd)
	d.cancel(true, true, ErrFDClosed)
	return err
}
