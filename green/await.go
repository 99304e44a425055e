package green

import (
	"errors"
	"time"

	"github.com/greenrt/green/hub"
)

// waitable is an object whose waiting operations go through await: a
// queue, a semaphore, a lock, an event, a result, a greenlet's death. Its
// methods run on the object's hub, never park, and are told which
// operation (op, the object's own numbering) they are about.
type waitable[T any] interface {
	// tryOp completes op at once if it can (in is its input: a put's
	// item) and returns its result and error.
	tryOp(op uint8, in T) (out T, err error, ok bool)
	// waitList returns the list a caller of op waits in. A waker that
	// completes a waiting op claims its node, stores the result in Val
	// (or an error with Fail) and wakes it.
	waitList(op uint8) *hub.WaitList[T]
	// giveBack undoes a completed op whose caller was interrupted before
	// it could use the result: an item goes back to the queue, a permit
	// to the semaphore. Ops with nothing to undo ignore it.
	giveBack(op uint8, out T)
}

// Outcomes of await that its callers turn into their own errors.
var (
	errNoWait  = errors.New("green: would wait")   // d == 0 and not possible now
	errExpired = errors.New("green: wait expired") // the timeout passed
)

// await runs a waiting operation for the caller wherever it is (see
// binding): in a greenlet of the owner hub directly, parking it on a
// recycled node; elsewhere through a node posted to the owner hub. d < 0
// waits without limit, 0 only tries, d > 0 waits at most d. It returns the
// result, or errNoWait, errExpired, an error a waker failed the wait with
// (ErrQueueShutDown, ErrHubStopped...), or raises the interrupt of a
// greenlet that was killed or timed out while waiting (after giving back
// what it may have been handed).
//
// l is obj.waitList(op), passed in so that the local path makes one call
// through the interface (tryOp) rather than two.
func await[T any](obj waitable[T], l *hub.WaitList[T], g *hub.G, h *hub.Hub, local bool, op uint8, in T, d time.Duration) (T, error) {
	if !local {
		return awaitRemote(obj, h, op, in, d)
	}
	if out, err, ok := obj.tryOp(op, in); ok {
		return out, err
	}
	return park(obj, l, g, op, in, d)
}

// park is await's local wait, once obj.tryOp(op, in) found it could not
// complete op now: it links a recycled node for g in l and parks. A
// caller that has its own object at hand (the queue engine) calls tryOp
// itself, statically, then park.
func park[T any](obj waitable[T], l *hub.WaitList[T], g *hub.G, op uint8, in T, d time.Duration) (T, error) {
	var zero T
	if d == 0 {
		return zero, errNoWait
	}
	if g == nil {
		panic(hub.ErrNotCoroutine) // a callback of the owner hub cannot wait
	}
	n := l.Get(g)
	n.Val = in
	l.PushBack(n)
	g.SetWaitingOn(obj, parkOp(obj, op))
	res := n.Wait(d, nil)
	if res == hub.Woken {
		out, err := n.Val, n.Err()
		l.Put(n)
		return out, err
	}
	out, claimed := n.Val, n.Claimed()
	l.Put(n)
	if res == hub.TimedOut {
		return zero, errExpired
	}
	if claimed {
		obj.giveBack(op, out)
	}
	g.Raise()
	return zero, nil // not reached
}

// remoteOp is a waiting operation posted to the owner hub by a caller
// from elsewhere.
type remoteOp[T any] struct {
	obj waitable[T]
	op  uint8
	d   time.Duration
	n   hub.WaitNode[T]
}

// start runs on the owner hub: complete the operation or link the waiter.
func (r *remoteOp[T]) start() error {
	n := &r.n
	if !n.Claim() {
		return nil // the caller gave up (or the hub stopped) before this ran
	}
	if out, err, ok := r.obj.tryOp(r.op, n.Val); ok {
		n.Val = out
		n.WakeWith(err)
		return nil
	}
	if r.d == 0 {
		n.WakeWith(errNoWait)
		return nil
	}
	n.Unclaim()
	r.obj.waitList(r.op).PushBack(n)
	return nil
}

func awaitRemote[T any](obj waitable[T], h *hub.Hub, op uint8, in T, d time.Duration) (T, error) {
	var zero T
	g, ch := hub.Current()
	if g == nil && ch != nil {
		panic(hub.ErrNotCoroutine) // a callback of another hub cannot wait
	}
	r := &remoteOp[T]{obj: obj, op: op, d: d}
	r.n.Val = in
	n := &r.n
	n.Prepare()
	detach := h.Attach(&n.Waiter)
	defer detach()
	if h.PostArg(runDetached, r.start) != nil {
		return zero, ErrHubStopped
	}
	wait := d
	if d == 0 {
		wait = forever // the answer to a try always comes
	}
	if g != nil {
		g.SetWaitingOn(obj, parkOp(obj, op))
	}
	switch n.Wait(wait, nil) {
	case hub.TimedOut:
		h.Post(func() { obj.waitList(op).Remove(n) })
		return zero, errExpired
	case hub.Interrupted:
		if n.Claimed() {
			if n.Err() == nil {
				out := n.Val
				h.Post(func() { obj.giveBack(op, out) })
			}
		} else {
			h.Post(func() { obj.waitList(op).Remove(n) })
		}
		n.Raise()
	}
	if err := n.Err(); err != nil {
		if errors.Is(err, hub.ErrStopped) {
			return zero, ErrHubStopped
		}
		return zero, err
	}
	return n.Val, nil
}

// linkTo is the linkReady of a primitive whose waiters and links share the
// list l: it calls fn at once if the object is ready, or links it as a
// callback node fired when it becomes ready, and returns the unlink
// function (nil when fn already ran). On the owner hub.
func linkTo[T any](l *hub.WaitList[T], ready bool, fn func()) (unlink func()) {
	if ready {
		fn()
		return nil
	}
	n := &hub.WaitNode[T]{Fn: hub.CallbackFunc(fn)}
	l.PushBack(n)
	return func() { l.Remove(n) }
}
