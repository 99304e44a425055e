package hub

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Waiter is one party blocked in a wait: a coroutine of some hub, or a
// plain goroutine. It is the one park/wake protocol of this module, the
// counterpart of the Go runtime's sudog: every primitive, pool, server and
// offloaded call waits through a Waiter, whichever hub owns what is waited
// for and wherever the waker runs. It is gevent's Waiter, extended to plain
// goroutines and to other hubs.
//
// # Protocol
//
// The waiting party calls Prepare, hands the Waiter to whoever will wake it
// (usually by linking it into a WaitList of the object it waits for), and
// calls Wait. Exactly one of two things then happens, decided by one atomic
// compare-and-swap, whatever goroutines are involved:
//
//   - a waker claims it (Claim), fills in its results (a WaitNode's Val, or
//     an error with Fail) and wakes it (Wake): Wait returns Woken and the
//     results are valid;
//   - the waiter gives up first (its timeout expires, it is interrupted, its
//     hub stops): Wait returns TimedOut or Interrupted, and a later Claim
//     fails, so that nothing meant for it is lost: the waker hands it to the
//     next waiter instead.
//
// A waiter interrupted (killed) after a waker claimed it returns Interrupted
// with Claimed true: whatever it was handed is valid and it must give it
// back (an item to its queue, a permit to its semaphore) before unwinding.
//
// The states, beside the field that holds them:
//
//	idle      --Prepare-->  waiting
//	waiting   --Claim---->  busy      (a waker owns the results)
//	busy      --Wake----->  claimed   (results published, the waiter runs)
//	busy      --Unclaim-->  waiting   (the waker had nothing to hand over)
//	waiting   --Cancel--->  cancelled (the waiter gave up; Claim fails)
//
// Wake-ups are exact: a wake-up that arrives after Wait returned (a timed-out
// greenlet parks for something else) is dropped, because it is matched
// against the number of the park it was meant for.
//
// # Cost
//
// A Waiter is 64 bytes and can be reused (Prepare again) once Wait has
// returned; WaitList recycles the nodes it hands out, so a greenlet waiting
// on an object of its own hub does not allocate. Waking a greenlet of the
// waker's own hub is a compare-and-swap and a ready-queue push; waking one
// of another hub is a Post to that hub; waking a plain goroutine is a
// channel send.
type Waiter struct {
	// state is the state of the diagram above. A local waiter (see
	// PrepareLocal) is touched only on its hub, one thing at a time, so its
	// state is read and written with plain instructions; the others use
	// atomics.
	state uint32
	local bool

	// Coroutine waiters: written and read only on h (by Wait, and by the
	// wake-up, which runs on h), so they need no synchronisation.
	seq    uint32 // the park to wake
	parked bool   // Wait is parked under seq

	g   *G // the waiting coroutine, nil for a plain goroutine (its hub is g's)
	err error

	ch chan struct{} // plain goroutine waiters: receives the wake-up
}

// Waiter states.
const (
	waiterIdle uint32 = iota
	waiterWaiting
	waiterBusy
	waiterClaimed
	waiterCancelled
)

// Prepare readies w for a wait of the calling context: the running
// coroutine of a hub, or a plain goroutine. It panics with ErrNotCoroutine
// in a hub callback, which must never wait. It returns w.
func (w *Waiter) Prepare() *Waiter {
	g, h := Current()
	if g == nil && h != nil {
		panic(ErrNotCoroutine)
	}
	return w.prepareFor(g)
}

// PrepareLocal is Prepare for g, the running coroutine of its hub, when
// every waker of w will run on that hub too (the waiter queues of g's own
// hub's objects): such a waiter costs no atomic instruction. WaitList.Get
// uses it.
func (w *Waiter) PrepareLocal(g *G) *Waiter {
	w.g, w.err = g, nil
	w.parked, w.local = false, true
	w.state = waiterWaiting
	return w
}

func (w *Waiter) prepareFor(g *G) *Waiter {
	w.g, w.err = g, nil
	w.parked, w.local = false, false
	if g == nil && w.ch == nil {
		w.ch = make(chan struct{}, 1)
	}
	atomic.StoreUint32(&w.state, waiterWaiting)
	return w
}

func (w *Waiter) load() uint32 {
	if w.local {
		return w.state
	}
	return atomic.LoadUint32(&w.state)
}

func (w *Waiter) store(v uint32) {
	if w.local {
		w.state = v
		return
	}
	atomic.StoreUint32(&w.state, v)
}

func (w *Waiter) cas(old, v uint32) bool {
	if w.local {
		if w.state != old {
			return false
		}
		w.state = v
		return true
	}
	return atomic.CompareAndSwapUint32(&w.state, old, v)
}

// G returns the waiting coroutine, or nil for a plain goroutine.
func (w *Waiter) G() *G { return w.g }

// Hub returns the waiting coroutine's hub, or nil for a plain goroutine.
func (w *Waiter) Hub() *Hub {
	if w.g == nil {
		return nil
	}
	return w.g.h
}

// Claim makes the caller the waker of w if w is still waiting, and reports
// whether it did. The caller then fills in the results and calls Wake (or
// calls Fail). Safe from any goroutine.
func (w *Waiter) Claim() bool { return w.cas(waiterWaiting, waiterBusy) }

// Wake publishes the results of a successful Claim and makes the waiter
// run. Safe from any goroutine; a coroutine waiter of another hub is woken
// through a Post to its hub (dropped if that hub has stopped: its
// coroutines are being interrupted anyway).
func (w *Waiter) Wake() {
	if w.local { // the waker runs on the waiter's hub
		w.state = waiterClaimed
		if w.parked {
			w.g.Wake(w.seq)
		}
		return
	}
	atomic.StoreUint32(&w.state, waiterClaimed)
	switch {
	case w.g == nil:
		w.ch <- struct{}{}
	case w.g.h.OnHub():
		w.wakeOnHub()
	default:
		w.g.h.postArg(wakeWaiter, w)
	}
}

func wakeWaiter(arg any) { arg.(*Waiter).wakeOnHub() }

// wakeOnHub runs on the waiter's hub.
func (w *Waiter) wakeOnHub() {
	if w.parked {
		w.g.Wake(w.seq)
	}
}

// WakeWith is Wake publishing err (nil for success), which Err returns.
func (w *Waiter) WakeWith(err error) {
	w.err = err
	w.Wake()
}

// Unclaim gives back a successful Claim without waking the waiter, when
// the claimer found nothing to hand over after all; w is waiting again.
func (w *Waiter) Unclaim() { w.store(waiterWaiting) }

// Waiting reports whether w is waiting: prepared, and neither claimed nor
// cancelled.
func (w *Waiter) Waiting() bool { return w.load() == waiterWaiting }

// Notify is Claim followed by Wake, for waits that carry no result. It
// reports whether w was still waiting.
func (w *Waiter) Notify() bool {
	if !w.Claim() {
		return false
	}
	w.Wake()
	return true
}

// Fail claims w and wakes it with err, which Err then returns. It reports
// whether w was still waiting.
func (w *Waiter) Fail(err error) bool {
	if !w.Claim() {
		return false
	}
	w.err = err
	w.Wake()
	return true
}

// Err returns the error given to Fail, once Wait has returned Woken.
func (w *Waiter) Err() error { return w.err }

// Claimed reports whether a waker claimed w (after Wait returned).
func (w *Waiter) Claimed() bool { return w.load() == waiterClaimed }

// Cancel withdraws w if no waker has claimed it yet, and reports whether
// it did. When it returns false, a waker won: Cancel waits until that waker
// has published its results (it is filling in a few fields), which are
// then valid. Safe from any goroutine; Wait calls it on timeout and
// interrupt.
func (w *Waiter) Cancel() bool {
	for i := 0; ; i++ {
		switch w.load() {
		case waiterWaiting:
			if w.cas(waiterWaiting, waiterCancelled) {
				return true
			}
		case waiterBusy:
			// Another thread is between Claim and Wake (or Unclaim),
			// which never block: wait for it.
			if i > 100 {
				runtime.Gosched()
			}
		case waiterCancelled:
			return true
		default: // claimed
			return false
		}
	}
}

// Wait blocks the prepared context until a waker claims and wakes w, the
// timeout passes (timeout < 0: no limit; 0: only look) or, for a
// coroutine, an interrupt is pending. It returns Woken (the results are
// valid; Err tells whether it was failed), TimedOut or Interrupted (the
// caller undoes its registrations, gives back what it was handed if
// Claimed, and calls Raise).
//
// from is the hub whose work will wake w, or nil if unknown or several. A
// plain goroutine waiting on from declares itself one of its observers:
// if that hub, and every other, can never make progress again, gevent's
// LoopExit happens (see the deadlock rules in the package documentation)
// and the wait fails with ErrDeadlock; if from was never started, the wait
// fails at once with ErrNotStarted, since nothing would ever run there.
func (w *Waiter) Wait(timeout time.Duration, from *Hub) ParkResult {
	if w.g != nil {
		return w.waitG(timeout)
	}
	return w.waitOutside(timeout, from)
}

func (w *Waiter) waitOutside(timeout time.Duration, from *Hub) ParkResult {
	if from != nil {
		if from.state.Load() == hubNew {
			w.Fail(ErrNotStarted)
		}
		defer from.observe(w)()
	}
	return w.waitPlain(timeout)
}

func (w *Waiter) waitG(timeout time.Duration) ParkResult {
	g := w.g
	op := g.op // Park clears it: a stale wake-up parks again
	if timeout < 0 && w.local {
		// The common case, without a deadline or atomics.
		for w.state != waiterClaimed {
			w.seq, w.parked = g.seq, true
			g.op = op
			res := g.Park(-1)
			w.parked = false
			if res == Interrupted {
				w.Cancel()
				return Interrupted
			}
		}
		return Woken
	}
	var deadline int64
	if timeout > 0 {
		deadline = nanotime() + int64(timeout)
	}
	for {
		if w.load() == waiterClaimed {
			return Woken
		}
		d := timeout
		if deadline != 0 {
			d = max(time.Duration(deadline-nanotime()), 0)
		}
		if d == 0 {
			if w.Cancel() {
				return TimedOut
			}
			continue // claimed: its wake-up is on the way
		}
		w.seq, w.parked = g.seq, true
		g.op = op
		res := g.Park(d)
		w.parked = false
		switch res {
		case Interrupted:
			w.Cancel()
			return Interrupted
		case TimedOut:
			if w.Cancel() {
				return TimedOut
			}
			return Woken // claimed as the timer fired: the claim wins
		}
		// Woken: by w's waker, or by a stale wake-up meant for an
		// earlier wait that reused w: look at the state again.
	}
}

func (w *Waiter) waitPlain(timeout time.Duration) ParkResult {
	if timeout < 0 {
		<-w.ch
		return Woken
	}
	if timeout == 0 {
		if w.Cancel() {
			return TimedOut
		}
		<-w.ch
		return Woken
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-w.ch:
		return Woken
	case <-t.C:
		if w.Cancel() {
			return TimedOut
		}
		<-w.ch
		return Woken
	}
}

// Raise panics with the waiting coroutine's pending interrupt, after Wait
// returned Interrupted (see G.Raise).
func (w *Waiter) Raise() { w.g.Raise() }
