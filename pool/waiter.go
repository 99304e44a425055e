package pool

import (
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// forever is the timeout of waits without one.
const forever = time.Duration(-1)

// waiter is green's Waiter (hub.Waiter with gevent's names): a parked
// greenlet or a blocked plain goroutine, woken at most once from any
// goroutine.
type waiter = green.Waiter

func newWaiter() *waiter { return green.NewWaiter() }

// waitq is a FIFO of waiters: the module's one waiter queue
// (hub.WaitList), guarded here by its owner's mutex instead of being owned
// by a hub, since a Group is shared by greenlets of any hubs and plain
// goroutines. The mutex is never held across a wait.
type waitq struct{ l hub.WaitList[struct{}] }

// push links a node for the caller's wait and returns it.
func (q *waitq) push() *hub.WaitNode[struct{}] {
	n := new(hub.WaitNode[struct{}])
	n.Prepare()
	q.l.PushBack(n)
	return n
}

// wakeOne wakes the first waiter still waiting and reports whether there
// was one.
func (q *waitq) wakeOne() bool {
	n := q.l.Claim()
	if n == nil {
		return false
	}
	n.Wake()
	return true
}

func (q *waitq) wakeAll() { q.l.Fire(struct{}{}) }

func (q *waitq) remove(n *hub.WaitNode[struct{}]) { q.l.Remove(n) }

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
