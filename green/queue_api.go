package green

import "time"

// The do* helpers route a call to the queue's hub (see binding): inline
// for greenlets and callbacks of that hub, through the hub otherwise.
// Plain goroutines first try without waiting (one hub.Call) and only start
// a proxy greenlet when they must wait.

type none = struct{}

func (q *queue[T]) doPut(k uint8, v T, d time.Duration) error {
	g, h, local := q.where()
	if local {
		return q.put(k, g, v, d)
	}
	if g == nil {
		_, err := remote(h, nil, false, func() (none, error) { return none{}, q.put(k, nil, v, 0) }, nil)
		if err != ErrQueueFull || d == 0 {
			return err
		}
	}
	_, err := remote(h, g, true, func() (none, error) { return none{}, q.doPut(k, v, d) }, nil)
	return err
}

func (q *queue[T]) doGet(k uint8, d time.Duration) (T, error) {
	g, h, local := q.where()
	if local {
		return q.get(k, g, d)
	}
	if g == nil {
		v, err := remote(h, nil, false, func() (T, error) { return q.get(k, nil, 0) }, nil)
		if err != ErrQueueEmpty || d == 0 {
			return v, err
		}
	}
	return remote(h, g, true, func() (T, error) { return q.doGet(k, d) }, func(v T) { q.giveBack(k, v) })
}

func (q *queue[T]) doPeek(k uint8, d time.Duration) (T, error) {
	g, h, local := q.where()
	if local {
		return q.peek(k, g, d)
	}
	if g == nil {
		v, err := remote(h, nil, false, func() (T, error) { return q.peek(k, nil, 0) }, nil)
		if err != ErrQueueEmpty || d == 0 {
			return v, err
		}
	}
	return remote(h, g, true, func() (T, error) { return q.doPeek(k, d) }, nil)
}

// doNow runs fn, which must not park, on the queue's hub.
func (q *queue[T]) doNow(fn func() error) error {
	g, h, local := q.where()
	if local {
		return fn()
	}
	_, err := remote(h, g, false, func() (none, error) { return none{}, fn() }, nil)
	return err
}

func (q *queue[T]) doLen(k uint8) int {
	n := 0
	q.doNow(func() error { n = q.size(k); return nil })
	return n
}

func (q *queue[T]) doFull(k uint8) bool {
	full := false
	q.doNow(func() error { full = k != kindChannel && q.full(k); return nil })
	return full
}

func (q *queue[T]) doTaskDone() error { return q.doNow(q.taskDone) }

func (q *queue[T]) doJoin(d time.Duration) error {
	g, h, local := q.where()
	if local {
		return q.join(g, d)
	}
	_, err := remote(h, g, d != 0, func() (none, error) { return none{}, q.doJoin(d) }, nil)
	return err
}

func (q *queue[T]) doShutdown() error {
	return q.doNow(func() error { q.shutdown(); return nil })
}

func (q *queue[T]) doUnfinished() int {
	n := 0
	q.doNow(func() error { n = q.unfinished; return nil })
	return n
}

func (q *queue[T]) doClosed() bool {
	c := false
	q.doNow(func() error { c = q.closed; return nil })
	return c
}

// all yields items until a get fails (the queue was shut down and is
// empty, or the caller's wait failed).
func (q *queue[T]) all(k uint8) func(yield func(T) bool) {
	return func(yield func(T) bool) {
		for {
			v, err := q.doGet(k, forever)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// fastPut is the common case of a FIFO put by a greenlet of the queue's
// hub: nobody waits, there is room. It reports false to take the general
// path.
func (q *queue[T]) fastPut(v T) bool {
	h := q.hb.Load()
	if h == nil || h.Current() == nil || q.getters.head != nil || q.peekers.head != nil ||
		q.closed || (q.max > 0 && q.items.n >= q.max) {
		return false
	}
	q.items.pushBack(v)
	q.unfinished++
	return true
}

// fastGet is the common case of a FIFO get by a greenlet of the queue's
// hub: an item is there and no putter waits.
func (q *queue[T]) fastGet() (v T, ok bool) {
	h := q.hb.Load()
	if h == nil || h.Current() == nil || q.items.n == 0 || q.putters.head != nil {
		return v, false
	}
	return q.items.popFront(), true
}
