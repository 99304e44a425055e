package green

// LifoQueue is a last-in, first-out Queue (gevent's LifoQueue): Get and
// Peek return the item put most recently. Everything else, the zero value
// (unbounded), the methods, the FIFO order of blocked callers and the rules
// for callers from elsewhere, is as for Queue.
type LifoQueue[T any] struct {
	queue[T, lifo]
}

// NewLifoQueue returns a LIFO queue holding at most maxsize items
// (maxsize <= 0: unbounded).
func NewLifoQueue[T any](maxsize int) *LifoQueue[T] {
	q := new(LifoQueue[T])
	q.max = max(maxsize, 0)
	return q
}
