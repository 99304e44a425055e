package green

import (
	"cmp"
	"fmt"
	"iter"
	"time"
)

// PriorityQueue is a Queue that returns its smallest item first, as
// ordered by the less function given to NewPriorityQueue (gevent's
// PriorityQueue, a binary heap: put and get are O(log n)). Items that
// compare equal come out in no particular order. Everything else, the FIFO
// order of blocked callers and the rules for calls from plain goroutines,
// is as for Queue.
//
// The zero value has no ordering: its puts fail with ErrBadFunc. Create
// one with NewPriorityQueue or NewOrderedPriorityQueue.
type PriorityQueue[T any] struct {
	queue[T]
}

// NewPriorityQueue returns a priority queue ordered by less, holding at
// most maxsize items (maxsize <= 0: unbounded). It panics if less is nil.
func NewPriorityQueue[T any](maxsize int, less func(a, b T) bool) *PriorityQueue[T] {
	if less == nil {
		panic("green: NewPriorityQueue with a nil less function")
	}
	q := new(PriorityQueue[T])
	q.max = max(maxsize, 0)
	q.less = less
	return q
}

// NewOrderedPriorityQueue returns a priority queue of ordered values
// (smallest first), holding at most maxsize items (maxsize <= 0:
// unbounded).
func NewOrderedPriorityQueue[T cmp.Ordered](maxsize int) *PriorityQueue[T] {
	return NewPriorityQueue(maxsize, cmp.Less[T])
}

// Put adds v, waiting while the queue is full. It fails with
// ErrQueueShutDown after Shutdown (or when Shutdown ends the wait).
func (q *PriorityQueue[T]) Put(v T) error { return q.PutTimeout(v, forever) }

// PutTimeout is Put waiting at most d; it fails with ErrQueueFull when the
// queue is still full.
func (q *PriorityQueue[T]) PutTimeout(v T, d time.Duration) error {
	if q.less == nil {
		return fmt.Errorf("%w: PriorityQueue without a less function (use NewPriorityQueue)", ErrBadFunc)
	}
	return q.doPut(kindPriority, v, d)
}

// PutNowait is Put without waiting: ErrQueueFull if the queue is full.
func (q *PriorityQueue[T]) PutNowait(v T) error { return q.PutTimeout(v, 0) }

// Get removes and returns the smallest item, waiting while the queue is
// empty. It fails with ErrQueueShutDown once the queue is shut down and
// empty.
func (q *PriorityQueue[T]) Get() (T, error) { return q.doGet(kindPriority, forever) }

// GetTimeout is Get waiting at most d; it fails with ErrQueueEmpty when
// the queue is still empty.
func (q *PriorityQueue[T]) GetTimeout(d time.Duration) (T, error) { return q.doGet(kindPriority, d) }

// GetNowait is Get without waiting: ErrQueueEmpty if the queue is empty.
func (q *PriorityQueue[T]) GetNowait() (T, error) { return q.doGet(kindPriority, 0) }

// Peek returns the smallest item without removing it, waiting while the
// queue is empty.
func (q *PriorityQueue[T]) Peek() (T, error) { return q.doPeek(kindPriority, forever) }

// PeekTimeout is Peek waiting at most d (ErrQueueEmpty).
func (q *PriorityQueue[T]) PeekTimeout(d time.Duration) (T, error) { return q.doPeek(kindPriority, d) }

// PeekNowait is Peek without waiting (ErrQueueEmpty).
func (q *PriorityQueue[T]) PeekNowait() (T, error) { return q.doPeek(kindPriority, 0) }

// Len returns the number of items queued (gevent's qsize).
func (q *PriorityQueue[T]) Len() int { return q.doLen(kindPriority) }

// Cap returns the bound given to NewPriorityQueue, 0 if unbounded.
func (q *PriorityQueue[T]) Cap() int { return q.max }

// Empty reports whether no item is queued.
func (q *PriorityQueue[T]) Empty() bool { return q.Len() == 0 }

// Full reports whether a Put would wait.
func (q *PriorityQueue[T]) Full() bool { return q.doFull(kindPriority) }

// TaskDone marks one item taken by Get as processed; when every item put
// has been marked, Join returns. It fails with ErrTaskDone if called more
// times than items were put.
func (q *PriorityQueue[T]) TaskDone() error { return q.doTaskDone() }

// Unfinished returns the number of items put and not yet marked with
// TaskDone.
func (q *PriorityQueue[T]) Unfinished() int { return q.doUnfinished() }

// Join waits until every item put has been marked with TaskDone.
func (q *PriorityQueue[T]) Join() error { return q.doJoin(forever) }

// JoinTimeout is Join waiting at most d; it fails with ErrTimeout.
func (q *PriorityQueue[T]) JoinTimeout(d time.Duration) error { return q.doJoin(d) }

// Shutdown shuts the queue down (Python's Queue.shutdown): puts fail with
// ErrQueueShutDown, gets return the remaining items and then fail with it,
// and every blocked put, get and peek fails with it at once (the items of
// blocked puts are dropped). Join is not released. Calling it again does
// nothing.
func (q *PriorityQueue[T]) Shutdown() error { return q.doShutdown() }

// IsShutDown reports whether Shutdown was called.
func (q *PriorityQueue[T]) IsShutDown() bool { return q.doClosed() }

// All returns an iterator that gets items until the queue is shut down
// and empty (gevent's iteration over a queue).
func (q *PriorityQueue[T]) All() iter.Seq[T] { return q.all(kindPriority) }
