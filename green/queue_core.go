package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// Queue kinds.
const (
	kindFIFO uint8 = iota
	kindLIFO
	kindPriority
	kindChannel
)

// ring is a growable circular buffer; it never shrinks, so the steady
// state does not allocate.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (r *ring[T]) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 16
	}
	buf := make([]T, size)
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf, r.head = buf, 0
}

func (r *ring[T]) pushBack(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	i := r.head + r.n
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = v
	r.n++
}

func (r *ring[T]) pushFront(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.head--
	if r.head < 0 {
		r.head += len(r.buf)
	}
	r.buf[r.head] = v
	r.n++
}

func (r *ring[T]) popFront() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v
}

func (r *ring[T]) backIndex() int {
	i := r.head + r.n - 1
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return i
}

func (r *ring[T]) popBack() T {
	var zero T
	i := r.backIndex()
	v := r.buf[i]
	r.buf[i] = zero
	r.n--
	return v
}

// queue is the hub-owned core shared by Queue, LifoQueue, PriorityQueue
// and Channel. Blocked getters and putters wait in FIFO lists; a put hands
// its item straight to the first getter still parked, and a get that makes
// room moves the first parked putter's item in, so nobody can overtake a
// waiter. Invariants (ignoring nodes whose park already ended): getters
// wait only while the queue is empty, putters only while it is full.
type queue[T any] struct {
	binding
	max        int // > 0: bound; 0: unbounded (a Channel never stores)
	items      ring[T]
	heap       []T
	less       func(a, b T) bool
	getters    wlist[T]
	putters    wlist[T]
	peekers    wlist[T]
	joiners    wlist[struct{}]
	unfinished int
	closed     bool
}

func (q *queue[T]) size(k uint8) int {
	if k == kindPriority {
		return len(q.heap)
	}
	return q.items.n
}

func (q *queue[T]) full(k uint8) bool {
	return k == kindChannel || (q.max > 0 && q.size(k) >= q.max)
}

func (q *queue[T]) store(k uint8, v T) {
	switch k {
	case kindPriority:
		q.heapPush(v)
	default:
		q.items.pushBack(v)
	}
}

func (q *queue[T]) take(k uint8) T {
	switch k {
	case kindPriority:
		return q.heapPop()
	case kindLIFO:
		return q.items.popBack()
	}
	return q.items.popFront()
}

func (q *queue[T]) first(k uint8) T {
	switch k {
	case kindPriority:
		return q.heap[0]
	case kindLIFO:
		return q.items.buf[q.items.backIndex()]
	}
	return q.items.buf[q.items.head]
}

// giveBack returns an item that a getter was handed but did not take (it
// was interrupted before it ran): to the next getter still parked, or to
// the head of the queue, even past its bound.
func (q *queue[T]) giveBack(k uint8, v T) {
	if n := q.getters.claim(); n != nil {
		n.val = v
		return
	}
	switch k {
	case kindFIFO, kindChannel:
		q.items.pushFront(v)
	default:
		q.store(k, v)
	}
}

func (q *queue[T]) heapPush(v T) {
	h := append(q.heap, v)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(h[i], h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	q.heap = h
}

func (q *queue[T]) heapPop() T {
	h := q.heap
	v := h[0]
	last := len(h) - 1
	h[0] = h[last]
	var zero T
	h[last] = zero
	h = h[:last]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && q.less(h[c+1], h[c]) {
			c++
		}
		if !q.less(h[c], h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	q.heap = h
	return v
}

// put adds v, waiting up to d (d < 0: no limit, 0: not at all) for room.
// g is the caller's G, nil in a hub callback. Hub-only.
func (q *queue[T]) put(k uint8, g *hub.G, v T, d time.Duration) error {
	if q.closed {
		return ErrQueueShutDown
	}
	if q.peekers.head != nil {
		for n := q.peekers.claim(); n != nil; n = q.peekers.claim() {
			n.val = v
		}
	}
	if q.getters.head != nil {
		if n := q.getters.claim(); n != nil {
			n.val = v
			q.unfinished++
			return nil
		}
	}
	if !q.full(k) {
		q.store(k, v)
		q.unfinished++
		return nil
	}
	if d == 0 {
		return ErrQueueFull
	}
	if g == nil {
		panic(hub.ErrNotCoroutine)
	}
	n := q.putters.enqueue(g)
	n.val = v
	res := q.putters.park(n, d)
	done := n.done
	q.putters.recycle(n)
	switch {
	case res == hub.Interrupted:
		g.Raise() // if done, the item went in: the put happened first
	case done:
		return nil
	case res == hub.TimedOut:
		return ErrQueueFull
	}
	return ErrQueueShutDown
}

// get removes and returns the next item, waiting up to d. Hub-only.
func (q *queue[T]) get(k uint8, g *hub.G, d time.Duration) (T, error) {
	var zero T
	if q.size(k) > 0 {
		v := q.take(k)
		if q.putters.head != nil && !q.full(k) {
			if n := q.putters.claim(); n != nil {
				q.store(k, n.val)
				q.unfinished++
			}
		}
		return v, nil
	}
	if q.putters.head != nil { // a Channel: take straight from a putter
		if n := q.putters.claim(); n != nil {
			return n.val, nil
		}
	}
	if q.closed {
		return zero, ErrQueueShutDown
	}
	if d == 0 {
		return zero, ErrQueueEmpty
	}
	if g == nil {
		panic(hub.ErrNotCoroutine)
	}
	n := q.getters.enqueue(g)
	res := q.getters.park(n, d)
	v, done := n.val, n.done
	q.getters.recycle(n)
	if res == hub.Interrupted {
		if done {
			q.giveBack(k, v)
		}
		g.Raise()
	}
	if done {
		return v, nil
	}
	if res == hub.TimedOut {
		return zero, ErrQueueEmpty
	}
	return zero, ErrQueueShutDown
}

// peek returns the next item without removing it, waiting up to d.
func (q *queue[T]) peek(k uint8, g *hub.G, d time.Duration) (T, error) {
	var zero T
	if q.size(k) > 0 {
		return q.first(k), nil
	}
	if q.closed {
		return zero, ErrQueueShutDown
	}
	if d == 0 {
		return zero, ErrQueueEmpty
	}
	if g == nil {
		panic(hub.ErrNotCoroutine)
	}
	n := q.peekers.enqueue(g)
	res := q.peekers.park(n, d)
	v, done := n.val, n.done
	q.peekers.recycle(n)
	switch {
	case res == hub.Interrupted:
		g.Raise()
	case done:
		return v, nil
	case res == hub.TimedOut:
		return zero, ErrQueueEmpty
	}
	return zero, ErrQueueShutDown
}

func (q *queue[T]) taskDone() error {
	if q.unfinished <= 0 {
		return ErrTaskDone
	}
	q.unfinished--
	if q.unfinished == 0 {
		for q.joiners.claim() != nil {
		}
	}
	return nil
}

func (q *queue[T]) join(g *hub.G, d time.Duration) error {
	if q.unfinished == 0 {
		return nil
	}
	if d == 0 {
		return ErrTimeout
	}
	if g == nil {
		panic(hub.ErrNotCoroutine)
	}
	n := q.joiners.enqueue(g)
	res := q.joiners.park(n, d)
	done := n.done
	q.joiners.recycle(n)
	if res == hub.Interrupted {
		g.Raise()
	}
	if done || q.unfinished == 0 {
		return nil
	}
	return ErrTimeout
}

// shutdown refuses further puts and fails every blocked put, get and peek
// with ErrQueueShutDown. Items already queued can still be taken.
func (q *queue[T]) shutdown() {
	if q.closed {
		return
	}
	q.closed = true
	for _, l := range [...]*wlist[T]{&q.getters, &q.putters, &q.peekers} {
		for n := l.claim(); n != nil; n = l.claim() {
			n.done = false
		}
	}
}

func (q *queue[T]) waiters() (getters, putters int) {
	for n := q.getters.head; n != nil; n = n.next {
		if n.g.Seq() == n.seq {
			getters++
		}
	}
	for n := q.putters.head; n != nil; n = n.next {
		if n.g.Seq() == n.seq {
			putters++
		}
	}
	return
}
