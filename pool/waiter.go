package pool

import (
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// forever is the timeout of waits without one.
const forever = time.Duration(-1)

// waiter is green's Waiter: a parked greenlet or a blocked plain
// goroutine, woken at most once from any goroutine.
type waiter = green.Waiter

func newWaiter() *waiter { return green.NewWaiter() }

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
		if !w.Woken() {
			w.Wake()
			return true
		}
	}
	return false
}

func (q *waitq) wakeAll() {
	for i, w := range *q {
		w.Wake()
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
