package green

import (
	"iter"
	"time"
)

// Queue is a FIFO queue of T for greenlets and goroutines (gevent's
// Queue), unbounded or bounded. Blocked putters and getters are served in
// FIFO order; a put hands its item directly to the longest-waiting getter,
// and a getter cancelled by a timeout or a kill never consumes an item.
// Shutdown wakes every blocked caller with ErrQueueShutDown.
//
// The zero value is an unbounded queue, bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine (see the package
// documentation for what each kind of caller gets). In a greenlet of the
// queue's hub, calls touch the queue directly: no locks, no atomics besides
// one load, and no allocation in the steady state (a put or a get that does
// not wait is a few nanoseconds; one that waits is one park).
//
// Timeouts follow the module's convention: XTimeout(d) waits at most d and
// d <= 0 only tries; the plain method waits without limit, XNowait never
// waits. An expired wait returns ErrQueueEmpty (or ErrQueueFull) wrapped
// so that it also matches ErrTimeout.
type Queue[T any] struct {
	queue[T, fifo]
}

// NewQueue returns a queue holding at most maxsize items (maxsize <= 0:
// unbounded).
func NewQueue[T any](maxsize int) *Queue[T] {
	q := new(Queue[T])
	q.max = max(maxsize, 0)
	return q
}

// The methods below are those of Queue, LifoQueue and PriorityQueue alike;
// "front" is the oldest item of a Queue, the newest of a LifoQueue and the
// smallest of a PriorityQueue.

// Put adds v, waiting while the queue is full. It fails with
// ErrQueueShutDown after Shutdown (or when Shutdown ends the wait).
func (q *queue[T, K]) Put(v T) error { return q.put(v, forever) }

// PutTimeout is Put waiting at most d (d <= 0: only try); it fails with
// ErrQueueFull when the queue is still full.
func (q *queue[T, K]) PutTimeout(v T, d time.Duration) error { return q.put(v, timeoutArg(d)) }

// PutNowait is Put without waiting: ErrQueueFull if the queue is full.
func (q *queue[T, K]) PutNowait(v T) error { return q.put(v, 0) }

func (q *queue[T, K]) put(v T, d time.Duration) error {
	if q.fastPut(v) {
		return nil
	}
	if q.max == 0 && q.kind() != kindChannel {
		// A put on an unbounded queue never waits: from elsewhere it is
		// a giving call (posted, so a callback of another hub may make
		// it too).
		if _, h, local := q.where(); !local {
			return giveTo(h, func() error { _, err, _ := q.tryOp(opPut, v); return err })
		}
	}
	_, err := q.op(opPut, v, d)
	return err
}

// Get removes and returns the front item, waiting while the queue is
// empty. It fails with ErrQueueShutDown once the queue is shut down and
// empty.
func (q *queue[T, K]) Get() (T, error) { return q.get(forever) }

// GetTimeout is Get waiting at most d (d <= 0: only try); it fails with
// ErrQueueEmpty when the queue is still empty.
func (q *queue[T, K]) GetTimeout(d time.Duration) (T, error) { return q.get(timeoutArg(d)) }

// GetNowait is Get without waiting: ErrQueueEmpty if the queue is empty.
func (q *queue[T, K]) GetNowait() (T, error) { return q.get(0) }

func (q *queue[T, K]) get(d time.Duration) (T, error) {
	if v, ok := q.fastGet(); ok {
		return v, nil
	}
	var zero T
	return q.op(opGet, zero, d)
}

// Peek returns the front item without removing it, waiting while the
// queue is empty.
func (q *queue[T, K]) Peek() (T, error) { return q.peek(forever) }

// PeekTimeout is Peek waiting at most d (d <= 0: only look).
func (q *queue[T, K]) PeekTimeout(d time.Duration) (T, error) { return q.peek(timeoutArg(d)) }

// PeekNowait is Peek without waiting (ErrQueueEmpty).
func (q *queue[T, K]) PeekNowait() (T, error) { return q.peek(0) }

func (q *queue[T, K]) peek(d time.Duration) (T, error) {
	var zero T
	return q.op(opPeek, zero, d)
}

// Len returns the number of items queued (gevent's qsize).
func (q *queue[T, K]) Len() int {
	n := 0
	q.now(false, func() error { n = q.size(); return nil })
	return n
}

// Cap returns the bound given at creation, 0 if unbounded.
func (q *queue[T, K]) Cap() int { return q.max }

// Empty reports whether no item is queued.
func (q *queue[T, K]) Empty() bool { return q.Len() == 0 }

// Full reports whether a Put would wait.
func (q *queue[T, K]) Full() bool {
	full := false
	q.now(false, func() error { full = q.full(); return nil })
	return full
}

// TaskDone marks one item taken by Get as processed; when every item put
// has been marked, Join returns. It fails with ErrTaskDone if called more
// times than items were put.
func (q *queue[T, K]) TaskDone() error { return q.now(true, q.taskDone) }

// Unfinished returns the number of items put and not yet marked with
// TaskDone.
func (q *queue[T, K]) Unfinished() int {
	n := 0
	q.now(false, func() error { n = q.unfinished; return nil })
	return n
}

// Join waits until every item put has been marked with TaskDone.
func (q *queue[T, K]) Join() error {
	var zero T
	_, err := q.op(opJoin, zero, forever)
	return err
}

// JoinTimeout is Join waiting at most d (d <= 0: only check); it fails
// with ErrTimeout.
func (q *queue[T, K]) JoinTimeout(d time.Duration) error {
	var zero T
	_, err := q.op(opJoin, zero, timeoutArg(d))
	return err
}

// Shutdown shuts the queue down (Python's Queue.shutdown): puts fail with
// ErrQueueShutDown, gets return the remaining items and then fail with it,
// and every blocked put, get and peek fails with it at once (the items of
// blocked puts are dropped). Join is not released. Calling it again does
// nothing.
func (q *queue[T, K]) Shutdown() error {
	return q.now(true, func() error { q.shutdown(false); return nil })
}

// ShutdownImmediate is Shutdown that also drops the items queued, counting
// them as done for Join (Python's shutdown(immediate=True)): gets fail with
// ErrQueueShutDown at once.
func (q *queue[T, K]) ShutdownImmediate() error {
	return q.now(true, func() error { q.shutdown(true); return nil })
}

// IsShutDown reports whether Shutdown was called.
func (q *queue[T, K]) IsShutDown() bool {
	c := false
	q.now(false, func() error { c = q.closed; return nil })
	return c
}

// All returns an iterator that gets items until the queue is shut down
// and empty, or the caller's wait fails (gevent's iteration over a queue).
func (q *queue[T, K]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, err := q.get(forever)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// fastPut is the common case of a FIFO or LIFO put by a greenlet of the
// queue's hub: nobody waits, there is room. It reports false to take the
// general path.
func (q *queue[T, K]) fastPut(v T) bool {
	h := q.hb.Load()
	if h == nil || h.Current() == nil || (q.kind() != kindFIFO && q.kind() != kindLIFO) ||
		!q.getters.Empty() || !q.peekers.Empty() || q.closed || (q.max > 0 && q.items.Len() >= q.max) {
		return false
	}
	if !q.items.TryPushBack(v) {
		q.items.PushBack(v)
	}
	q.unfinished++
	return true
}

// fastGet is the common case of a FIFO get by a greenlet of the queue's
// hub: an item is there and no putter waits.
func (q *queue[T, K]) fastGet() (v T, ok bool) {
	h := q.hb.Load()
	if h == nil || h.Current() == nil || q.kind() != kindFIFO || q.items.Len() == 0 || !q.putters.Empty() {
		return v, false
	}
	return q.items.PopFront(), true
}
