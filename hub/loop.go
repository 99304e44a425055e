package hub

import "runtime/pprof"

// batch bounds how many ready entries run between two looks at timers, posts
// and I/O, so that a pair of coroutines yielding to each other cannot starve
// the rest of the loop.
const batch = 256

// loop is the hub goroutine. Each turn:
//
//  1. takeWakeups: what other goroutines changed (posts, a stop request, a
//     deadlock round);
//  2. stopStep: while stopping, interrupt everything and finish once nothing
//     is left;
//  3. runReady: up to batch ready coroutines and callbacks;
//  4. runTimers: the timers that are due;
//  5. wakeIdlers: the coroutines waiting in Idle, once nothing is ready;
//  6. pollWait: wait for I/O, a wake-up or the next timer, without blocking
//     while something is ready, and after the deadlock check when the wait
//     would have no end.
func (h *Hub) loop() {
	h.loopCtx.gid = getg()
	h.ext.loopGID.Store(h.loopCtx.gid)
	storeRunning(h, h.loopCtx.gid)
	pprof.SetGoroutineLabels(h.ext.labels)
	startMonitor()
	defer h.shutdown()
	for {
		// A new turn: the monitor sees the hub moving even when it runs
		// only callbacks, and parks are stamped with this time.
		storeRunning(h, h.loopCtx.gid)
		h.ext.now = turnTime()
		h.setQuiet(false)
		h.takeWakeups()
		if h.stopping && h.stopStep() {
			return
		}
		h.runReady()
		if len(h.timers) > 0 {
			now := nanotime()
			h.ext.now = now
			h.runTimers(now)
		}
		if h.wakeIdlers() {
			continue
		}
		h.pollWait()
	}
}

// takeWakeups clears the wake-up flag, then looks at what other goroutines
// changed: a change made after the clear writes the eventfd again, so none
// is missed.
func (h *Hub) takeWakeups() {
	if h.wakeSig.Load() {
		h.wakeSig.Store(false)
	}
	if h.npost.Load() > 0 {
		h.runPosted()
	}
	if !h.stopping && h.stopReq.Load() {
		h.stopping = true
	}
}

// stopStep runs one round of the stop and reports whether the loop is done.
func (h *Hub) stopStep() bool {
	h.stopRound()
	if h.live != 0 || h.ready.len() != 0 || h.npost.Load() != 0 {
		return false
	}
	if h.state.Load() == hubStopped {
		return true
	}
	// Refuse new posts, then run whatever slipped in before (a Spawn, a
	// Call) so that nobody waits for it forever; greenlets started now die
	// at once with ErrStopped.
	h.mu.Lock()
	h.state.Store(hubStopped)
	h.mu.Unlock()
	return false
}

// runReady runs up to batch ready coroutines and callbacks.
func (h *Hub) runReady() {
	for n := 0; n < batch && h.ready.len() > 0; n++ {
		e := h.ready.pop()
		if e.g == nil {
			h.callback(e.fn, e.arg)
			continue
		}
		if e.g.state == gReady {
			h.budget = batch
			h.loopTransfer(h.prepare(e.g))
		}
	}
	h.ready.shrink()
}

// wakeIdlers wakes the coroutines waiting in Idle once nothing is ready,
// and reports whether it woke any.
func (h *Hub) wakeIdlers() bool {
	if h.ready.len() != 0 || len(h.idlers) == 0 {
		return false
	}
	h.idlers = wakeAll(h.idlers)
	return true
}

// wakeAll wakes the coroutines of ws and returns ws emptied, its array kept
// for the next waiters.
func wakeAll(ws []idleWaiter) []idleWaiter {
	for i, w := range ws {
		w.g.Wake(w.seq)
		ws[i] = idleWaiter{}
	}
	return ws[:0]
}

// pollWait waits for I/O, a wake-up or the next timer: not at all while
// something is ready, posted or stopping. A wait that would have no end
// first wakes the WaitEmpty callers if nothing else is live (empty.go),
// else is preceded by the deadlock check (deadlock.go).
func (h *Hub) pollWait() {
	timeout := int64(-1)
	switch {
	case h.ready.len() > 0 || h.npost.Load() > 0 || h.stopping:
		timeout = 0
	case len(h.timers) > 0:
		timeout = max(h.timers[0].when-nanotime(), 0)
	case h.idle():
		if len(h.emptiers) != 0 && h.wakeEmptiers() {
			return // run them rather than go quiet
		}
		h.hasWork.Store(!h.cfg.NoDeadlockDetection && (h.parkedHead != nil || h.outside.Load() > 0))
		h.setQuiet(true)
		if h.detect() {
			return // run what the round made ready
		}
	}
	if timeout == 0 && h.fds.n == 0 {
		return
	}
	if timeout != 0 {
		// Waiting for I/O is not blocking the hub. The bit is cleared
		// at the top of the next turn, or before an FD callback runs
		// (FD.notify: callbacks hold the hub like anything else).
		setPolling(h)
	}
	err := h.poll.wait(timeout, h.fdReady)
	if err != nil {
		h.ReportError(err)
	}
}

// loopTransfer runs to from the loop and returns when the loop runs again,
// letting exiting workers finish on the way.
func (h *Hub) loopTransfer(to *ctx) {
	h.transfer(&h.loopCtx, to)
	for h.exiting != nil {
		w := h.exiting
		h.exiting = nil
		h.transfer(&h.loopCtx, &w.ctx)
	}
}

// stopRound interrupts every parked coroutine, fires every timer and ends
// every FD wait, so that the next turn lets them all unwind.
func (h *Hub) stopRound() {
	for g := h.parkedHead; g != nil; {
		next := g.pnext
		g.Interrupt(ErrStopped)
		g = next
	}
	// Fire the timers armed now (not those their callbacks arm: a timer
	// that re-arms itself must not keep this round going forever).
	if n := len(h.timers); n > 0 {
		latest := h.timers[0].when
		for _, t := range h.timers {
			latest = max(latest, t.when)
		}
		for i := 0; i < n && len(h.timers) > 0 && h.timers[0].when <= latest; i++ {
			t := h.timers[0]
			h.timers.remove(t)
			fn, arg := t.fn, t.arg
			t.fn, t.arg = nil, nil
			h.callback(fn, arg)
		}
	}
	for _, d := range h.fds.all() {
		d.cancel(true, true, ErrStopped)
	}
}

// shutdown releases everything once the loop has ended.
func (h *Hub) shutdown() {
	for w := h.freeW; w != nil; {
		next := w.nextFree
		w.home.exitReq = true
		h.loopTransfer(&w.ctx)
		w = next
	}
	h.freeW, h.nfreeW = nil, 0
	for _, d := range h.fds.all() {
		d.closed = true
	}
	h.fds = fdTable{}
	registerHub(h, false)
	h.stoppedForMonitor()
	h.setQuiet(false)
	storeRunning(h, 0)
	h.closePoller()
	h.failObservers(ErrStopped, true)
	close(h.done)
}
