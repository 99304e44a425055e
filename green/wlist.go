package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// wnode is one greenlet parked in a wlist: the hub-local, allocation-free
// counterpart of waiter used by the coordination primitives. A waker
// completes the waiter's operation on its behalf (hands it an item, a
// permit, the lock) and marks it done, so that no other greenlet can take
// what was meant for it.
type wnode[T any] struct {
	next, prev *wnode[T]
	in         bool // linked in the list
	done       bool // claimed by a waker
	g          *hub.G
	seq        uint32
	val        T
}

// wlist is a FIFO of parked greenlets with a free list of nodes, so that
// waiting does not allocate in the steady state. Hub-owned: only the owner
// hub touches it, so it needs no locks.
//
// Nodes are removed eagerly by their owner when its park ends, and popped
// by claim, which skips nodes whose park already ended (timed out or
// interrupted, but not yet run): such a waiter gets nothing.
type wlist[T any] struct {
	head, tail *wnode[T]
	free       *wnode[T]
}

// enqueue appends a node for g's next park.
func (l *wlist[T]) enqueue(g *hub.G) *wnode[T] {
	n := l.free
	if n != nil {
		l.free = n.next
		n.next = nil
	} else {
		n = new(wnode[T])
	}
	n.g, n.seq, n.done, n.in = g, g.Seq(), false, true
	n.prev = l.tail
	if l.tail != nil {
		l.tail.next = n
	} else {
		l.head = n
	}
	l.tail = n
	return n
}

func (l *wlist[T]) unlink(n *wnode[T]) {
	if !n.in {
		return
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		l.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next, n.in = nil, nil, false
}

// recycle unlinks n and returns it to the free list; n must not be used
// afterwards.
func (l *wlist[T]) recycle(n *wnode[T]) {
	l.unlink(n)
	var zero T
	n.val, n.g = zero, nil
	n.next = l.free
	l.free = n
}

// claim pops waiters until it finds one still parked, wakes it and returns
// its node marked done, or returns nil. The caller then stores what it
// hands over in n.val before the woken greenlet runs.
func (l *wlist[T]) claim() *wnode[T] {
	for n := l.head; n != nil; n = l.head {
		l.unlink(n)
		if n.g.Wake(n.seq) {
			n.done = true
			return n
		}
	}
	return nil
}

// park parks n's greenlet (the caller) until a waker claims n, the
// timeout expires (d < 0: never) or an interrupt is pending. It returns
// whether n was claimed and the park result; n is unlinked but not
// recycled, so the caller can still read n.val. On hub.Interrupted the
// caller undoes what it must and calls g.Raise.
func (l *wlist[T]) park(n *wnode[T], d time.Duration) hub.ParkResult {
	res := n.g.Park(d)
	l.unlink(n)
	return res
}
