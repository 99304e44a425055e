// Package ring is the one ring buffer of the module: a growable FIFO/LIFO
// of T used by the hub's ready queue and by green's queues.
package ring

// Ring is a circular buffer that grows by doubling. The zero value is an
// empty ring. It is not safe for concurrent use: its owner (a hub) touches
// it one thing at a time.
type Ring[T any] struct {
	buf  []T
	head int // index of the first element
	n    int // number of elements
}

// Len returns the number of elements.
func (r *Ring[T]) Len() int { return r.n }

//go:noinline
func (r *Ring[T]) grow() {
	size := 2 * len(r.buf)
	if size == 0 {
		size = 16
	}
	buf := make([]T, size)
	k := copy(buf, r.buf[r.head:])
	copy(buf[k:], r.buf[:r.head])
	r.buf, r.head = buf, 0
}

// PushBack appends v.
func (r *Ring[T]) PushBack(v T) {
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

// TryPushBack appends v if the buffer has room without growing, and
// reports whether it did: PushBack without its call to grow, small enough
// to be inlined into a caller's fast path.
func (r *Ring[T]) TryPushBack(v T) bool {
	i := r.head + r.n
	if r.n == len(r.buf) {
		return false
	}
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	r.buf[i] = v
	r.n++
	return true
}

// PushFront prepends v.
func (r *Ring[T]) PushFront(v T) {
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

// PopFront removes and returns the first element; the ring must not be
// empty.
func (r *Ring[T]) PopFront() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero // drop references for the GC
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return v
}

func (r *Ring[T]) backIndex() int {
	i := r.head + r.n - 1
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return i
}

// PopBack removes and returns the last element; the ring must not be
// empty.
func (r *Ring[T]) PopBack() T {
	var zero T
	i := r.backIndex()
	v := r.buf[i]
	r.buf[i] = zero
	r.n--
	return v
}

// Front returns a pointer to the first element; the ring must not be
// empty.
func (r *Ring[T]) Front() *T { return &r.buf[r.head] }

// Back returns a pointer to the last element; the ring must not be empty.
func (r *Ring[T]) Back() *T { return &r.buf[r.backIndex()] }

// Shrink drops a buffer larger than max elements once the ring is empty,
// so that a burst does not keep its memory for ever.
func (r *Ring[T]) Shrink(max int) {
	if r.n == 0 && len(r.buf) > max {
		r.buf, r.head = nil, 0
	}
}

// At returns the i-th element from the front (0 <= i < Len).
func (r *Ring[T]) At(i int) *T {
	i += r.head
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return &r.buf[i]
}
