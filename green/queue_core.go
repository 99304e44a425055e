package green

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/greenrt/green/internal/ring"

	"github.com/greenrt/green/hub"
)

// The queue engine, shared by Queue, LifoQueue, PriorityQueue and Channel.
//
// The kind of a queue is its type parameter K (fifo, lifo, prio or
// rendezvous), so that every exported queue type, zero value included, is
// the same engine with one set of methods (see the kinds below for what
// the compiler makes of it).
//
// Blocked getters, putters, peekers and joiners wait in four WaitLists. A
// put hands its item straight to the first getter still waiting, and a get
// that makes room moves the first waiting putter's item in, so nobody can
// overtake a waiter. Invariants (ignoring nodes of waiters that already
// gave up): getters wait only while the queue is empty, putters only while
// it is full (a Channel is always full).

// errNoOrder is the error of a put on a PriorityQueue's zero value.
var errNoOrder = fmt.Errorf("%w: PriorityQueue without a less function (use NewPriorityQueue)", ErrBadFunc)

// Queue kinds.
const (
	kindFIFO uint8 = iota
	kindLIFO
	kindPriority
	kindChannel
)

// The kinds, used only as type arguments: K of queue[T, K] is one of them.
//
// Each kind is a type of its own size, the kind's number in bytes. Go
// compiles a generic function once per shape of its type arguments, and a
// shape is an underlying type, so types of different sizes give each kind
// its own copy of the engine, in which kind() is a constant: every switch
// on the kind folds away at compile time and the fast paths test nothing
// (the cost: four copies of the engine per item shape in the binary).
type (
	fifo       struct{}
	lifo       [kindLIFO]byte
	prio       [kindPriority]byte
	rendezvous [kindChannel]byte
)

// queueKind is the type parameter that says what kind of queue it is.
type queueKind interface {
	fifo | lifo | prio | rendezvous
}

// Queue operations, as await numbers them.
const (
	opGet uint8 = iota
	opPut
	opPeek
	opJoin
)

type queue[T any, K queueKind] struct {
	binding
	// The fields the fast paths read come first, side by side.
	items      ring.Ring[T]
	max        int // > 0: bound; 0: unbounded (a Channel never stores)
	unfinished int
	closed     bool
	getters    hub.WaitList[T]
	putters    hub.WaitList[T] // Val: the item to put
	peekers    hub.WaitList[T]
	joiners    hub.WaitList[T]
	heap       []T
	less       func(a, b T) bool
}

// kind returns the queue's kind, a constant in each copy of the engine.
func (q *queue[T, K]) kind() uint8 {
	var k K
	return uint8(unsafe.Sizeof(k))
}

func (q *queue[T, K]) size() int {
	if q.kind() == kindPriority {
		return len(q.heap)
	}
	return q.items.Len()
}

func (q *queue[T, K]) full() bool {
	return q.kind() == kindChannel || (q.max > 0 && q.size() >= q.max)
}

func (q *queue[T, K]) store(v T) {
	if q.kind() == kindPriority {
		q.heapPush(v)
		return
	}
	q.items.PushBack(v)
}

func (q *queue[T, K]) take() T {
	switch q.kind() {
	case kindPriority:
		return q.heapPop()
	case kindLIFO:
		return q.items.PopBack()
	}
	return q.items.PopFront()
}

func (q *queue[T, K]) first() T {
	switch q.kind() {
	case kindPriority:
		return q.heap[0]
	case kindLIFO:
		return *q.items.Back()
	}
	return *q.items.Front()
}

func (q *queue[T, K]) waitList(op uint8) *hub.WaitList[T] {
	switch op {
	case opGet:
		return &q.getters
	case opPut:
		return &q.putters
	case opPeek:
		return &q.peekers
	}
	return &q.joiners
}

// tryOp completes op at once if it can (see waitable). Hub-only.
func (q *queue[T, K]) tryOp(op uint8, v T) (T, error, bool) {
	var zero T
	switch op {
	case opGet:
		return q.tryGet()
	case opPut:
		if q.closed {
			return zero, ErrQueueShutDown, true
		}
		if q.less == nil && q.kind() == kindPriority {
			return zero, errNoOrder, true
		}
		return zero, nil, q.tryPut(v)
	case opPeek:
		if q.size() > 0 {
			return q.first(), nil, true
		}
		if q.closed {
			return zero, ErrQueueShutDown, true
		}
		return zero, nil, false
	}
	return zero, nil, q.unfinished == 0 // opJoin
}

func (q *queue[T, K]) tryGet() (T, error, bool) {
	var zero T
	if q.size() > 0 {
		v := q.take()
		if !q.putters.Empty() && !q.full() {
			if n := q.putters.Claim(); n != nil {
				q.store(n.Val)
				q.unfinished++
				n.Wake()
			}
		}
		return v, nil, true
	}
	if !q.putters.Empty() { // a Channel: take straight from a putter
		if n := q.putters.Claim(); n != nil {
			v := n.Val
			n.Wake()
			return v, nil, true
		}
	}
	if q.closed {
		return zero, ErrQueueShutDown, true
	}
	return zero, nil, false
}

func (q *queue[T, K]) tryPut(v T) bool {
	if !q.peekers.Empty() {
		for n := q.peekers.Claim(); n != nil; n = q.peekers.Claim() {
			n.Val = v
			n.Wake()
		}
	}
	if !q.getters.Empty() {
		if n := q.getters.Claim(); n != nil {
			n.Val = v
			q.unfinished++
			n.Wake()
			return true
		}
	}
	if q.full() {
		return false
	}
	q.store(v)
	q.unfinished++
	return true
}

// giveBack returns an item that a getter was handed but did not take (it
// was interrupted before it ran): to the next getter still waiting, or to
// the head of the queue, even past its bound. Other ops have nothing to
// give back (a put that completed happened).
func (q *queue[T, K]) giveBack(op uint8, v T) {
	if op != opGet {
		return
	}
	if n := q.getters.Claim(); n != nil {
		n.Val = v
		n.Wake()
		return
	}
	switch q.kind() {
	case kindFIFO, kindChannel:
		q.items.PushFront(v)
	default:
		q.store(v)
	}
}

func (q *queue[T, K]) taskDone() error {
	if q.unfinished <= 0 {
		return ErrTaskDone
	}
	q.unfinished--
	if q.unfinished == 0 {
		var zero T
		q.joiners.Fire(zero)
	}
	return nil
}

// shutdown refuses further puts and fails every blocked put, get and peek
// with ErrQueueShutDown (or, immediate, also drops the items queued).
func (q *queue[T, K]) shutdown(immediate bool) {
	if immediate {
		for q.size() > 0 {
			q.take()
			if q.unfinished > 0 {
				q.unfinished--
			}
		}
		if q.unfinished == 0 {
			var zero T
			q.joiners.Fire(zero)
		}
	}
	if q.closed {
		return
	}
	q.closed = true
	q.getters.FailAll(ErrQueueShutDown)
	q.putters.FailAll(ErrQueueShutDown)
	q.peekers.FailAll(ErrQueueShutDown)
}

// op runs a waiting operation for the caller (see await) and maps its
// outcome to the queue's errors.
func (q *queue[T, K]) op(op uint8, v T, d time.Duration) (T, error) {
	// await, with tryOp called statically rather than through the
	// waitable interface: this is the queue's slow path, taken at every
	// switch between a producer and a consumer.
	g, h, local := q.where()
	var out T
	var err error
	if !local {
		out, err = awaitRemote[T](q, h, op, v, d)
	} else if o, e, ok := q.tryOp(op, v); ok {
		out, err = o, e
	} else {
		out, err = park[T](q, q.waitList(op), g, op, v, d)
	}
	switch err {
	case errNoWait:
		return out, q.failure(op)
	case errExpired:
		return out, hub.TimeoutErr(q.failure(op))
	}
	return out, err
}

func (q *queue[T, K]) failure(op uint8) error {
	switch op {
	case opPut:
		return ErrQueueFull
	case opJoin:
		return ErrTimeout
	}
	return ErrQueueEmpty
}

// now runs fn, which must not park, on the queue's hub (see binding).
func (q *queue[T, K]) now(give bool, fn func() error) error {
	_, h, local := q.where()
	switch {
	case local:
		return fn()
	case give:
		return giveTo(h, fn)
	}
	return ask(h, fn)
}

func (q *queue[T, K]) heapPush(v T) {
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

func (q *queue[T, K]) heapPop() T {
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
