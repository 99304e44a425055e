package green

import (
	"iter"
	"time"
)

// LifoQueue is a last-in, first-out Queue (gevent's LifoQueue): Get and
// Peek return the item put most recently. Everything else, including the
// zero value (unbounded), the FIFO order of blocked callers and the rules
// for calls from plain goroutines, is as for Queue.
type LifoQueue[T any] struct {
	queue[T]
}

// NewLifoQueue returns a LIFO queue holding at most maxsize items
// (maxsize <= 0: unbounded).
func NewLifoQueue[T any](maxsize int) *LifoQueue[T] {
	q := new(LifoQueue[T])
	q.max = max(maxsize, 0)
	return q
}

// Put adds v on top, waiting while the queue is full. It fails with
// ErrQueueShutDown after Shutdown (or when Shutdown ends the wait).
func (q *LifoQueue[T]) Put(v T) error { return q.doPut(kindLIFO, v, forever) }

// PutTimeout is Put waiting at most d; it fails with ErrQueueFull when the
// queue is still full.
func (q *LifoQueue[T]) PutTimeout(v T, d time.Duration) error { return q.doPut(kindLIFO, v, d) }

// PutNowait is Put without waiting: ErrQueueFull if the queue is full.
func (q *LifoQueue[T]) PutNowait(v T) error { return q.doPut(kindLIFO, v, 0) }

// Get removes and returns the top item, waiting while the queue is
// empty. It fails with ErrQueueShutDown once the queue is shut down and
// empty.
func (q *LifoQueue[T]) Get() (T, error) { return q.doGet(kindLIFO, forever) }

// GetTimeout is Get waiting at most d; it fails with ErrQueueEmpty when
// the queue is still empty.
func (q *LifoQueue[T]) GetTimeout(d time.Duration) (T, error) { return q.doGet(kindLIFO, d) }

// GetNowait is Get without waiting: ErrQueueEmpty if the queue is empty.
func (q *LifoQueue[T]) GetNowait() (T, error) { return q.doGet(kindLIFO, 0) }

// Peek returns the top item without removing it, waiting while the
// queue is empty.
func (q *LifoQueue[T]) Peek() (T, error) { return q.doPeek(kindLIFO, forever) }

// PeekTimeout is Peek waiting at most d (ErrQueueEmpty).
func (q *LifoQueue[T]) PeekTimeout(d time.Duration) (T, error) { return q.doPeek(kindLIFO, d) }

// PeekNowait is Peek without waiting (ErrQueueEmpty).
func (q *LifoQueue[T]) PeekNowait() (T, error) { return q.doPeek(kindLIFO, 0) }

// Len returns the number of items queued (gevent's qsize).
func (q *LifoQueue[T]) Len() int { return q.doLen(kindLIFO) }

// Cap returns the bound given to NewLifoQueue, 0 if unbounded.
func (q *LifoQueue[T]) Cap() int { return q.max }

// Empty reports whether no item is queued.
func (q *LifoQueue[T]) Empty() bool { return q.Len() == 0 }

// Full reports whether a Put would wait.
func (q *LifoQueue[T]) Full() bool { return q.doFull(kindLIFO) }

// TaskDone marks one item taken by Get as processed; when every item put
// has been marked, Join returns. It fails with ErrTaskDone if called more
// times than items were put.
func (q *LifoQueue[T]) TaskDone() error { return q.doTaskDone() }

// Unfinished returns the number of items put and not yet marked with
// TaskDone.
func (q *LifoQueue[T]) Unfinished() int { return q.doUnfinished() }

// Join waits until every item put has been marked with TaskDone.
func (q *LifoQueue[T]) Join() error { return q.doJoin(forever) }

// JoinTimeout is Join waiting at most d; it fails with ErrTimeout.
func (q *LifoQueue[T]) JoinTimeout(d time.Duration) error { return q.doJoin(d) }

// Shutdown shuts the queue down (Python's Queue.shutdown): puts fail with
// ErrQueueShutDown, gets return the remaining items and then fail with it,
// and every blocked put, get and peek fails with it at once (the items of
// blocked puts are dropped). Join is not released. Calling it again does
// nothing.
func (q *LifoQueue[T]) Shutdown() error { return q.doShutdown() }

// IsShutDown reports whether Shutdown was called.
func (q *LifoQueue[T]) IsShutDown() bool { return q.doClosed() }

// All returns an iterator that gets items until the queue is shut down
// and empty (gevent's iteration over a queue).
func (q *LifoQueue[T]) All() iter.Seq[T] { return q.all(kindLIFO) }
