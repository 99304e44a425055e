package hub

// batch bounds how many ready entries run between two looks at timers, posts
// and I/O, so that a pair of coroutines yielding to each other cannot starve
// the rest of the loop.
const batch = 256

// loop is the hub goroutine: run what is ready, fire due timers, poll I/O
// (without blocking while something is ready), repeat.
func (h *Hub) loop() {
	h.loopCtx.gid = getg()
	storeRunning(h, h.loopCtx.gid)
	registerHub(h, true)
	defer h.shutdown()
	for {
		// Clear the wake-up flag before looking at what other goroutines
		// changed (posts, stop, holds, waiters): a change made after this
		// point writes the eventfd again, so none is missed.
		if h.wakeSig.Load() {
			h.wakeSig.Store(false)
		}
		if h.npost.Load() > 0 {
			h.runPosted()
		}
		if !h.stopping && h.stopReq.Load() {
			h.stopping = true
		}
		if h.stopping {
			h.stopRound()
			if h.live == 0 && h.ready.len() == 0 && h.npost.Load() == 0 {
				if h.state.Load() == hubStopped {
					return
				}
				// Refuse new posts, then run whatever slipped in
				// before (a Spawn, a Call) so that nobody waits
				// for it forever; greenlets started now die at
				// once with ErrStopped.
				h.mu.Lock()
				h.state.Store(hubStopped)
				h.mu.Unlock()
				continue
			}
		}
		for n := 0; n < batch && h.ready.len() > 0; n++ {
			e := h.ready.pop()
			if e.g != nil {
				if e.g.state == gReady {
					h.budget = batch
					h.loopTransfer(h.prepare(e.g))
				}
			} else {
				h.callback(e.fn, e.arg)
			}
		}
		if len(h.timers) > 0 {
			h.runTimers(nanotime())
		}
		if h.ready.len() == 0 && len(h.idlers) > 0 {
			for i, w := range h.idlers {
				w.g.Wake(w.seq)
				h.idlers[i] = idleWaiter{}
			}
			h.idlers = h.idlers[:0]
			continue
		}
		timeout := int64(-1)
		switch {
		case h.ready.len() > 0 || h.npost.Load() > 0 || h.stopping:
			timeout = 0
		case len(h.timers) > 0:
			timeout = max(h.timers[0].when-nanotime(), 0)
		case h.parkedHead != nil && h.waits == 0 && h.holds.Load() == 0 && h.outside.Load() > 0 && !h.cfg.NoDeadlockDetection:
			// Someone waits on the hub and nothing can wake any parked
			// coroutine: interrupt the one
			// that has waited longest, as gevent raises LoopExit. Its
			// death may wake the others (joiners); if not, the next
			// turn interrupts the next one.
			h.parkedHead.Interrupt(ErrDeadlock)
			continue
		}
		if timeout == 0 && len(h.fds) == 0 {
			continue
		}
		if err := h.poll.wait(timeout, h.fdReady); err != nil {
			h.ReportError(err)
		}
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
	for _, d := range h.fds {
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
	for _, d := range h.fds {
		d.closed = true
	}
	clear(h.fds)
	registerHub(h, false)
	storeRunning(h, 0)
	h.closePoller()
	close(h.done)
}
