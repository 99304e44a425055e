package hub

// WaitEmpty parks g, the running G, until h has nothing left to do: gevent's
// hub.join(), whose loop runs until no watcher is active. That is, at once,
//
//   - every other started coroutine of h has finished (but those parked in
//     WaitEmpty: several callers wait together and all return at once);
//   - no timer is armed (a Sleep, a timeout, an AfterFunc, a Repeat until it
//     is stopped), no FD wait or OnRead/OnWrite callback is pending, no
//     callback is ready, no Post is queued, no Idle is waiting and no Hold
//     is outstanding.
//
// The loop looks only when it is about to wait with nothing to do, that is
// before it would go quiet for deadlock detection: a hub that is empty but
// for its WaitEmpty callers wakes them, and is never declared deadlocked on
// their account. A coroutine parked for good on something nobody will do
// (an Event nobody sets) is still live: WaitEmpty keeps waiting, and
// deadlock detection may interrupt it (or the caller) as for any park.
//
// A pending interrupt is raised (panic), as is one arriving meanwhile (a
// kill, a timeout, ErrStopped when h stops); the caller is then no longer
// waiting. Hub-only, in a coroutine. Cost: nothing on the loop's other
// paths; a comparison each time the loop is about to sleep with nothing to
// do while somebody waits.
func (h *Hub) WaitEmpty(g *G) {
	if h.cur != g || g.w == nil || getg() != g.w.gid {
		h.mustInCoroutine()
	}
	h.emptiers = append(h.emptiers, idleWaiter{g, g.seq})
	for {
		g.SetWaitingOn(h, WaitJoin)
		if g.Park(-1) == Interrupted {
			h.dropEmptier(g)
			g.Raise()
		}
		if !h.isEmptier(g) {
			return // woken by wakeEmptiers
		}
		// A stale wake-up: wait again for this park.
		h.emptiers[h.emptierIndex(g)].seq = g.seq
	}
}

func (h *Hub) emptierIndex(g *G) int {
	for i, w := range h.emptiers {
		if w.g == g {
			return i
		}
	}
	return -1
}

func (h *Hub) isEmptier(g *G) bool { return h.emptierIndex(g) >= 0 }

func (h *Hub) dropEmptier(g *G) {
	if i := h.emptierIndex(g); i >= 0 {
		last := len(h.emptiers) - 1
		h.emptiers[i] = h.emptiers[last]
		h.emptiers[last] = idleWaiter{}
		h.emptiers = h.emptiers[:last]
	}
}

// wakeEmptiers wakes the WaitEmpty callers if nothing but them is live,
// and reports whether it did. The loop calls it when it is idle (see
// pollWait), so the rest of the emptiness is already known.
func (h *Hub) wakeEmptiers() bool {
	if h.live != len(h.emptiers) {
		return false
	}
	h.emptiers = wakeAll(h.emptiers)
	return true
}
