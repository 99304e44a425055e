package green

import "cmp"

// PriorityQueue is a Queue that returns its smallest item first, as
// ordered by the less function given to NewPriorityQueue (gevent's
// PriorityQueue, a binary heap: put and get are O(log n)). Items that
// compare equal come out in no particular order. The methods, the FIFO
// order of blocked callers and the rules for callers from elsewhere are as
// for Queue.
//
// The zero value has no ordering: its puts fail with ErrBadFunc. Create
// one with NewPriorityQueue or NewOrderedPriorityQueue.
type PriorityQueue[T any] struct {
	queue[T, prio]
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
