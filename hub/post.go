package hub

import "sync/atomic"

// Post queues fn to run on the hub loop, from any goroutine. fn runs in the
// loop itself (not in a coroutine), so it must not park; to run blocking
// code, spawn a coroutine from fn. Functions posted by one goroutine run in
// the order posted. Post fails with ErrStopped once the hub has stopped.
//
// Cost: a mutex and, when the loop may be asleep, one eventfd write; bursts
// of posts share one write.
func (h *Hub) Post(fn func()) error {
	h.mu.Lock()
	if h.state.Load() == hubStopped {
		h.mu.Unlock()
		return ErrStopped
	}
	h.posted = append(h.posted, fn)
	h.npost.Add(1)
	h.mu.Unlock()
	h.wakeup()
	return nil
}

// wakeup makes the loop leave epoll_wait; at most one eventfd write is in
// flight between two drains of the post queue.
func (h *Hub) wakeup() {
	if h.wakeSig.Swap(true) {
		return
	}
	// The read lock keeps shutdown from closing the eventfd between the
	// check and the write: after a close its number may belong to some
	// other file, which must not receive our 8 bytes.
	h.wakeMu.RLock()
	if !h.pollClosed {
		h.poll.wake()
	}
	h.wakeMu.RUnlock()
}

func (h *Hub) runPosted() {
	h.mu.Lock()
	fns := h.posted
	h.posted = h.spare[:0]
	h.npost.Store(0)
	h.mu.Unlock()
	for i, fn := range fns {
		h.callback(callFunc, fn)
		fns[i] = nil
	}
	h.spare = fns[:0]
}

// Call runs fn on the hub and returns when it has run. On the hub it runs
// fn inline; from another goroutine it posts fn and waits. It fails with
// ErrStopped if the hub has stopped. A panic in fn is reported to the error
// handler, not propagated.
func (h *Hub) Call(fn func()) error {
	if h.OnHub() {
		h.callback(callFunc, fn)
		return nil
	}
	done := make(chan struct{})
	if err := h.Post(func() { defer close(done); fn() }); err != nil {
		return err
	}
	<-done
	return nil
}

// Hold tells the hub that something outside it (a plain goroutine, a
// callback from a library) may still wake one of its coroutines, so that
// deadlock detection must not fire while the hold is outstanding. It
// returns the release function, which is idempotent. Safe from any
// goroutine.
//
// Use it around work that will later Post to the hub, set a green Event or
// put into a green Queue from a plain goroutine; the package's own bridges
// (offloaded calls, name resolution) hold the hub for you.
func (h *Hub) Hold() (release func()) {
	h.holds.Add(1)
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			if h.holds.Add(-1) == 0 {
				h.wakeup() // let the loop re-check for deadlock
			}
		}
	}
}

// Waiting tells the hub that the calling plain goroutine is about to block
// until its coroutines make progress (a Join from outside, Run). While at
// least one such waiter exists, a hub with nothing left that could wake its
// parked coroutines interrupts them with ErrDeadlock instead of letting the
// waiter hang: gevent raises LoopExit in the main greenlet in the same
// situation. It returns the function to call when the wait ends
// (idempotent). Safe from any goroutine.
func (h *Hub) Waiting() (done func()) {
	h.outside.Add(1)
	h.wakeup() // let a sleeping loop re-check for deadlock
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			h.outside.Add(-1)
		}
	}
}
