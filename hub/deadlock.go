package hub

import "sync"

// Deadlock detection: gevent's LoopExit, across every hub of the process.
//
// A parked coroutine is woken by something another party does: a coroutine
// or callback of some hub (its own or another: waiters of one hub are
// routinely woken by greenlets of another), a timer, an I/O event it waits
// for, or a plain goroutine (an offloaded call, a Post, a Set on an event).
// The hubs see all of those but the last, which must announce itself with
// Hold (the module's own bridges do).
//
// A hub is quiet when it has nothing that could make progress: no ready
// coroutine or callback, no timer, no FD wait, no post queued, no Hold, no
// pending Idle, not stopping. It says so (the quiet flag) just before its
// loop waits without a timeout, and clears the flag as soon as it wakes.
//
// The process is deadlocked when every running hub is quiet and somebody
// is waiting for an outcome: a plain goroutine observing a hub (a Join or
// Get from outside, Run's caller; see Hub.Waiting and Waiter.Wait). Then
// nothing can ever wake any parked coroutine, and waiting forever helps
// nobody. That is deadlocked below, the one function that decides it.
//
// What happens then is a deadlock round, on one hub that has parked
// coroutines or observers: the coroutine that has waited longest is
// interrupted with ErrDeadlock (its death may wake others, a joiner first);
// a hub with no parked coroutine fails its observers' waits with
// ErrDeadlock instead (a Join of a greenlet that nobody started). If that
// frees nothing, the hubs go quiet again and the next round takes the next
// coroutine. Hubs configured with NoDeadlockDetection take part in the
// check but never run a round.
//
// Plain goroutines waiting on a primitive (a Queue.Get, an Event.Wait from
// outside any greenlet) are not observers: like a receive on a Go channel,
// their wait ends when another goroutine acts, which the hubs cannot
// foresee, so it is never declared a deadlock.
//
// Ordering: a hub goes quiet, then reads the other hubs' flags, then its own
// queue of posts. A hub that posted to another before going quiet is seen
// either as not quiet yet or through the post it left (sequentially
// consistent atomics), so no wake-up in flight between hubs is missed.

// detectMu serialises the detection, so that two hubs going quiet at once
// start at most one round.
var detectMu sync.Mutex

// idle reports whether h has nothing that could make progress (see
// above). Loop-only.
func (h *Hub) idle() bool {
	return h.ready.len() == 0 && len(h.timers) == 0 && h.waits == 0 && len(h.idlers) == 0 &&
		!h.stopping && h.npost.Load() == 0 && h.holds.Load() == 0
}

// setQuiet publishes whether the loop is about to wait with nothing to do.
// The published word is the quiet flag (bit 0) and the number of times the
// hub left the quiet state (the rest): a detector that reads the same word
// before and after looking at a hub's posts and holds knows the hub did not
// wake up in between.
func (h *Hub) setQuiet(q bool) {
	if h.isQuiet == q {
		return
	}
	h.isQuiet = q
	if q {
		h.quiet.Add(1) // epoch<<1 | 1
	} else {
		h.quiet.Add(1) // (epoch+1)<<1
	}
}

// deadlocked reports whether the process is deadlocked: every running hub
// is quiet and holds nothing, no post is in flight, some plain goroutine
// observes a hub, and no hub woke up while this was being checked. Safe
// from any goroutine; the caller's hub must have published its quiet flag
// first.
func deadlocked() bool {
	p := hubs.Load()
	if p == nil {
		return false
	}
	words := make([]uint64, len(*p))
	observed := false
	for i, x := range *p {
		words[i] = x.quiet.Load()
		if words[i]&1 == 0 || x.holds.Load() != 0 || x.npost.Load() != 0 {
			return false
		}
		if x.outside.Load() > 0 {
			observed = true
		}
	}
	for i, x := range *p {
		if x.quiet.Load() != words[i] {
			return false
		}
	}
	return observed
}

// detect runs on a loop that is about to wait without a timeout, after it
// published its quiet flag. If the process is deadlocked, the round is run
// by a hub that has just checked that itself: this one, if it has parked
// coroutines or observers; otherwise it wakes one that has, which checks
// again as it goes back to sleep and runs the round then (a round decided
// on a stale view could interrupt a greenlet that had been woken
// meanwhile). detect reports whether this hub ran a round, so that the
// loop runs the greenlets the round made ready instead of waiting.
func (h *Hub) detect() bool {
	detectMu.Lock()
	defer detectMu.Unlock()
	if !deadlocked() {
		return false
	}
	if h.hasWork.Load() {
		return h.deadlockRound()
	}
	for _, x := range *hubs.Load() {
		if x != h && x.hasWork.Load() {
			x.wakeup()
			break
		}
	}
	return false
}

// deadlockRound interrupts the longest-parked coroutine with ErrDeadlock,
// or, with none parked, fails the observers' waits, and reports whether it
// did either. Loop-only.
func (h *Hub) deadlockRound() bool {
	if h.parkedHead != nil {
		h.parkedHead.Interrupt(ErrDeadlock)
		return true
	}
	// An observer that arrived after the check posted its registration
	// first (a Join posts the link, then waits): take the observers, then
	// make sure no post came in, so that only observers of the deadlock
	// that was checked are failed.
	ws := h.waitersToFail(false)
	if h.npost.Load() != 0 {
		return false
	}
	return h.fail(ws, ErrDeadlock) > 0
}
