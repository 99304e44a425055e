package hub

import "iter"

// WaitNode is one entry of a WaitList: a Waiter with the value a waker
// hands it (an item, a permit count, anything the list's owner defines), or
// a callback (Fn) run when the owner notifies the whole list (gevent's
// rawlink). It is the sudog of this runtime.
type WaitNode[T any] struct {
	Waiter
	// Val is what the waker hands over: written by the waker between
	// Claim and Wake, read by the waiter once Wait returned Woken (or
	// interrupted while Claimed). For a waiter that gives something (a
	// blocked putter), it holds that item while waiting.
	Val T
	// Fn, when set, makes the node a callback instead of a waiter: Fire
	// runs it (on the list's hub; it must not park) and Claim skips it. A
	// Callback rather than a func, so that a record embedding its node
	// (a greenlet's link) is its own callback, with no closure to allocate.
	Fn Callback
	// ID identifies the node for its owner (link ids, for instance).
	ID uint32

	gen        uint32 // the list's generation when linked (see Fire)
	next, prev *WaitNode[T]
	list       *WaitList[T] // the list it is linked in, nil if none
	pooled     bool         // handed out by Get: Put recycles it
}

// Callback is what a callback node runs when its list fires: see
// WaitNode.Fn.
type Callback interface{ Fire() }

// CallbackFunc makes a func a Callback. The conversion does not allocate (a
// func value is one pointer, stored in the interface as it is).
type CallbackFunc func()

// Fire calls f.
func (f CallbackFunc) Fire() { f() }

// WaitList is a FIFO of WaitNodes: the one waiter queue under every
// primitive, like the runtime's waitq under channels and select. It is
// owned by one hub (the hub that owns the object it belongs to): every
// method must be called there, one thing at a time, so it has no locks.
// Nodes of waiters from elsewhere (another hub's greenlets, plain
// goroutines) are linked by a function posted to the owner hub, and their
// waiters are woken through the Waiter protocol, which is safe across
// goroutines.
//
// The zero value is an empty list. It keeps a free list of the nodes it
// hands out with Get, so that waiting on an object of one's own hub does
// not allocate in the steady state.
type WaitList[T any] struct {
	head, tail *WaitNode[T]
	free       *WaitNode[T]
	n          uint32 // linked nodes (uint32 beside gen: a greenlet's links list is 32 bytes)
	gen        uint32 // bumped by Fire: nodes linked during a Fire wait for the next
}

// Get returns a recycled (or new) node prepared for the running coroutine
// g of the list's hub, to be linked with PushBack and given back with Put.
func (l *WaitList[T]) Get(g *G) *WaitNode[T] {
	n := l.free
	if n != nil {
		l.free = n.next
		n.next = nil
	} else {
		n = &WaitNode[T]{pooled: true}
	}
	n.PrepareLocal(g)
	return n
}

// Put unlinks n if needed and, if it came from Get, recycles it; n must
// not be used afterwards. Nodes allocated elsewhere are only unlinked.
func (l *WaitList[T]) Put(n *WaitNode[T]) {
	l.Remove(n)
	if !n.pooled {
		return
	}
	var zero T
	n.Val, n.g = zero, nil // drop references for the GC
	if n.err != nil {
		n.err = nil
	}
	n.next = l.free
	l.free = n
}

// PushBack links n at the back.
func (l *WaitList[T]) PushBack(n *WaitNode[T]) {
	n.list, n.gen = l, l.gen
	n.next = nil
	n.prev = l.tail
	if l.tail != nil {
		l.tail.next = n
	} else {
		l.head = n
	}
	l.tail = n
	l.n++
}

// PushFront links n at the front.
func (l *WaitList[T]) PushFront(n *WaitNode[T]) {
	if l.head == nil {
		l.PushBack(n)
		return
	}
	n.list, n.gen = l, l.gen
	n.prev = nil
	n.next = l.head
	l.head.prev = n
	l.head = n
	l.n++
}

// Remove unlinks n and reports whether it was linked in l.
func (l *WaitList[T]) Remove(n *WaitNode[T]) bool {
	if n.list != l {
		return false
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
	n.prev, n.next, n.list = nil, nil, nil
	l.n--
	return true
}

// Empty reports whether no node is linked. Nodes of waiters that gave up
// but were not unlinked yet count: use Waiting for an exact count.
func (l *WaitList[T]) Empty() bool { return l.head == nil }

// Len returns the number of linked nodes (see Empty).
func (l *WaitList[T]) Len() int { return int(l.n) }

// Waiting returns the number of linked waiters still waiting.
func (l *WaitList[T]) Waiting() int {
	k := 0
	for n := l.head; n != nil; n = n.next {
		if n.Fn == nil && n.load() == waiterWaiting {
			k++
		}
	}
	return k
}

// Front returns the first linked node, or nil.
func (l *WaitList[T]) Front() *WaitNode[T] { return l.head }

// Claim unlinks nodes from the front until it claims a waiter still
// waiting, and returns it, or nil. Waiters that gave up are dropped on the
// way; callback nodes are skipped (left linked). The caller fills in the
// node's Val and calls Wake.
func (l *WaitList[T]) Claim() *WaitNode[T] {
	for n := l.head; n != nil; {
		next := n.next
		if n.Fn == nil {
			l.Remove(n)
			if n.Claim() {
				return n
			}
		}
		n = next
	}
	return nil
}

// Fire wakes every waiter and runs every callback, in order, unlinking
// them all; val is handed to every waiter. Nodes linked while it runs (by
// the callbacks) are left for the next Fire; nodes unlinked by a callback
// before their turn do not run.
func (l *WaitList[T]) Fire(val T) {
	old := l.gen
	l.gen++
	for n := l.head; n != nil && n.gen == old; n = l.head {
		l.Remove(n)
		if n.Fn != nil {
			n.Fn.Fire()
		} else if n.Claim() {
			n.Val = val
			n.Wake()
		}
	}
}

// FailAll claims every waiter with err (callbacks are left linked).
func (l *WaitList[T]) FailAll(err error) {
	for n := l.Claim(); n != nil; n = l.Claim() {
		n.err = err
		n.Wake()
	}
}

// All iterates over the linked nodes, front first. The loop body must not
// unlink nodes other than the one it is given.
func (l *WaitList[T]) All() iter.Seq[*WaitNode[T]] {
	return func(yield func(*WaitNode[T]) bool) {
		for n := l.head; n != nil; {
			next := n.next
			if !yield(n) {
				return
			}
			n = next
		}
	}
}

// Node returns a node prepared for g, the running coroutine of its hub, to
// wait in a WaitList of an object of that hub (see PrepareLocal), from a
// free list the hub keeps: waits on objects that do not keep nodes of their
// own (a greenlet's death, which every Join waits for) do not allocate
// either. Give it back with PutNode once the wait is over and the node is
// unlinked.
func (g *G) Node() *WaitNode[struct{}] {
	h := g.h
	n := h.nodes
	if n != nil {
		h.nodes = n.next
		n.next = nil
	} else {
		n = new(WaitNode[struct{}])
	}
	n.PrepareLocal(g)
	return n
}

// PutNode gives back a node from Node.
func (g *G) PutNode(n *WaitNode[struct{}]) {
	n.g, n.err, n.Fn = nil, nil, nil
	n.next = g.h.nodes
	g.h.nodes = n
}
