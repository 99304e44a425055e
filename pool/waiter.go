package pool

import (
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// forever is the timeout of waits without one.
const forever = time.Duration(-1)

// waiter is one blocked caller: a parked greenlet, or a plain goroutine
// blocked on a channel. wake is safe from any goroutine and takes effect at
// most once. It is the pool's copy of gevent's Waiter, built on the hub's
// parking protocol.
type waiter struct {
	g     *hub.G
	seq   uint32
	h     *hub.Hub
	ch    chan struct{}
	woken atomic.Bool
	// over is set (on the hub) once a greenlet's wait has returned: a
	// wake-up arriving later is dropped, so that it cannot hit a later park
	// of the greenlet that happens to have the same Seq (a park that
	// returned Interrupted at once does not advance Seq).
	over bool
}

// newWaiter prepares a waiter for the calling context. It panics with
// hub.ErrNotCoroutine in a hub callback, which must not block.
func newWaiter() *waiter {
	g, h := hub.Current()
	if g != nil {
		return &waiter{g: g, seq: g.Seq(), h: h}
	}
	if h != nil {
		panic(hub.ErrNotCoroutine)
	}
	return &waiter{ch: make(chan struct{})}
}

// wake wakes the waiter, once. Safe from any goroutine.
func (w *waiter) wake() {
	if !w.woken.CompareAndSwap(false, true) {
		return
	}
	if w.g == nil {
		close(w.ch)
		return
	}
	if w.h.OnHub() {
		w.wakeOnHub()
		return
	}
	w.h.Post(w.wakeOnHub)
}

func (w *waiter) wakeOnHub() {
	if !w.over {
		w.g.Wake(w.seq)
	}
}

// wait blocks until wake or the timeout (timeout < 0: none). It returns
// hub.Woken, hub.TimedOut or hub.Interrupted; on Interrupted the caller
// undoes its registrations and calls raise. A greenlet may see a spurious
// Woken (a stale wake-up posted for its park by another primitive):
// callers always withdraw the waiter and re-check their condition, with a
// new waiter if they wait again.
//
// from is the hub whose greenlets will wake the waiter (nil: unknown, the
// caller's own). A plain goroutine declares itself waiting on it
// (hub.Waiting), so that its deadlock detection can free it; a greenlet of
// another hub holds its own hub (hub.Hold) meanwhile, so that its
// deadlock detection does not fire while the wake-up is on its way.
func (w *waiter) wait(timeout time.Duration, from *hub.Hub) hub.ParkResult {
	if w.g != nil {
		if from != nil && from != w.h {
			defer w.h.Hold()()
		}
		res := w.g.Park(timeout)
		w.over = true
		return res
	}
	if from != nil {
		defer from.Waiting()()
	}
	if timeout < 0 {
		<-w.ch
		return hub.Woken
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-w.ch:
		return hub.Woken
	case <-t.C:
		return hub.TimedOut // the caller's cancel tells a late wake apart
	}
}

// cancel marks the waiter as no longer interested, so that a late wake is
// dropped. It reports whether a wake had already happened.
func (w *waiter) cancel() bool { return !w.woken.CompareAndSwap(false, true) }

// raise panics with the greenlet's pending interrupt.
func (w *waiter) raise() { w.g.Raise() }

// waitq is a FIFO list of waiters, guarded by its owner's mutex.
type waitq []*waiter

func (q *waitq) push(w *waiter) { *q = append(*q, w) }

// wakeOne wakes the first waiter that was still waiting and reports
// whether there was one.
func (q *waitq) wakeOne() bool {
	for len(*q) > 0 {
		w := (*q)[0]
		(*q)[0] = nil
		*q = (*q)[1:]
		if !w.woken.Load() {
			w.wake()
			return true
		}
	}
	return false
}

func (q *waitq) wakeAll() {
	for i, w := range *q {
		w.wake()
		(*q)[i] = nil
	}
	*q = (*q)[:0]
}

func (q *waitq) remove(w *waiter) {
	for i, x := range *q {
		if x == w {
			*q = append((*q)[:i], (*q)[i+1:]...)
			(*q)[len(*q) : len(*q)+1][0] = nil
			return
		}
	}
}

// deadline turns a timeout into an absolute monotonic deadline (zero for
// none) and back into what remains of it.
type deadline struct{ t time.Time }

func newDeadline(timeout time.Duration) deadline {
	if timeout < 0 {
		return deadline{}
	}
	return deadline{time.Now().Add(timeout)}
}

// left returns the time left (forever without a deadline, never below 0).
func (d deadline) left() time.Duration {
	if d.t.IsZero() {
		return forever
	}
	return max(time.Until(d.t), 0)
}

// isInterrupt reports whether r, recovered in the calling greenlet, is a
// kill or timeout interrupt raised by the hub (which must keep unwinding)
// rather than a panic of user code.
func isInterrupt(r any) bool {
	g, _ := hub.Current()
	return g != nil && r == g.Raised()
}

// rePanic panics with rec as an error that carries the stack of the
// goroutine or greenlet where the panic happened (green.PanicError).
func rePanic(rec *panics.Recovered) {
	panic(&panics.ErrRecovered{Recovered: *rec})
}
