package green

import (
	"iter"
	"time"
)

// Queue is a FIFO queue of T for greenlets (gevent's Queue), unbounded or
// bounded. Blocked putters and getters are served in FIFO order; a put
// hands its item directly to the longest-waiting getter, and a getter
// cancelled by a timeout or a kill never consumes an item. Shutdown wakes
// every blocked caller with ErrQueueShutDown.
//
// The zero value is an unbounded queue, bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine. In a greenlet of the
// queue's hub, calls touch the queue directly: no locks, no atomics besides
// one load, and no allocation in the steady state (a put or a get that
// does not wait is a few nanoseconds; one that waits is one park). In a
// plain goroutine, calls that do not wait cost one hub.Hub.Call, and calls
// that wait run in a proxy greenlet and block like a Go wait, failing with
// ErrDeadlock if the hub can never fill (or drain) the queue. A plain
// goroutine that will put later while greenlets wait should hold the hub
// (hub.Hub.Hold).
//
// Timeouts: d < 0 waits without limit, d == 0 does not wait, d > 0 waits
// at most d. In a greenlet, a kill or a Timeout interrupts a wait (the
// greenlet unwinds), and so does ErrDeadlock when nothing can ever wake it.
type Queue[T any] struct {
	queue[T]
}

// NewQueue returns a queue holding at most maxsize items (maxsize <= 0:
// unbounded).
func NewQueue[T any](maxsize int) *Queue[T] {
	q := new(Queue[T])
	q.max = max(maxsize, 0)
	return q
}

// Put adds v at the back, waiting while the queue is full. It fails with
// ErrQueueShutDown after Shutdown (or when Shutdown ends the wait).
func (q *Queue[T]) Put(v T) error {
	if q.fastPut(v) {
		return nil
	}
	return q.doPut(kindFIFO, v, forever)
}

// PutTimeout is Put waiting at most d; it fails with ErrQueueFull when the
// queue is still full.
func (q *Queue[T]) PutTimeout(v T, d time.Duration) error { return q.doPut(kindFIFO, v, d) }

// PutNowait is Put without waiting: ErrQueueFull if the queue is full.
func (q *Queue[T]) PutNowait(v T) error {
	if q.fastPut(v) {
		return nil
	}
	return q.doPut(kindFIFO, v, 0)
}

// Get removes and returns the front item, waiting while the queue is
// empty. It fails with ErrQueueShutDown once the queue is shut down and
// empty.
func (q *Queue[T]) Get() (T, error) {
	if v, ok := q.fastGet(); ok {
		return v, nil
	}
	return q.doGet(kindFIFO, forever)
}

// GetTimeout is Get waiting at most d; it fails with ErrQueueEmpty when
// the queue is still empty.
func (q *Queue[T]) GetTimeout(d time.Duration) (T, error) { return q.doGet(kindFIFO, d) }

// GetNowait is Get without waiting: ErrQueueEmpty if the queue is empty.
func (q *Queue[T]) GetNowait() (T, error) {
	if v, ok := q.fastGet(); ok {
		return v, nil
	}
	return q.doGet(kindFIFO, 0)
}

// Peek returns the front item without removing it, waiting while the
// queue is empty.
func (q *Queue[T]) Peek() (T, error) { return q.doPeek(kindFIFO, forever) }

// PeekTimeout is Peek waiting at most d (ErrQueueEmpty).
func (q *Queue[T]) PeekTimeout(d time.Duration) (T, error) { return q.doPeek(kindFIFO, d) }

// PeekNowait is Peek without waiting (ErrQueueEmpty).
func (q *Queue[T]) PeekNowait() (T, error) { return q.doPeek(kindFIFO, 0) }

// Len returns the number of items queued (gevent's qsize).
func (q *Queue[T]) Len() int { return q.doLen(kindFIFO) }

// Cap returns the bound given to NewQueue, 0 if unbounded.
func (q *Queue[T]) Cap() int { return q.max }

// Empty reports whether no item is queued.
func (q *Queue[T]) Empty() bool { return q.Len() == 0 }

// Full reports whether a Put would wait.
func (q *Queue[T]) Full() bool { return q.doFull(kindFIFO) }

// TaskDone marks one item taken by Get as processed; when every item put
// has been marked, Join returns. It fails with ErrTaskDone if called more
// times than items were put.
func (q *Queue[T]) TaskDone() error { return q.doTaskDone() }

// Unfinished returns the number of items put and not yet marked with
// TaskDone.
func (q *Queue[T]) Unfinished() int { return q.doUnfinished() }

// Join waits until every item put has been marked with TaskDone.
func (q *Queue[T]) Join() error { return q.doJoin(forever) }

// JoinTimeout is Join waiting at most d; it fails with ErrTimeout.
func (q *Queue[T]) JoinTimeout(d time.Duration) error { return q.doJoin(d) }

// Shutdown shuts the queue down (Python's Queue.shutdown): puts fail with
// ErrQueueShutDown, gets return the remaining items and then fail with it,
// and every blocked put, get and peek fails with it at once (the items of
// blocked puts are dropped). Join is not released. Calling it again does
// nothing.
func (q *Queue[T]) Shutdown() error { return q.doShutdown() }

// IsShutDown reports whether Shutdown was called.
func (q *Queue[T]) IsShutDown() bool { return q.doClosed() }

// All returns an iterator that gets items until the queue is shut down
// and empty (gevent's iteration over a queue).
func (q *Queue[T]) All() iter.Seq[T] { return q.all(kindFIFO) }
