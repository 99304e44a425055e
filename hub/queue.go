package hub

// entry is one item of the ready queue: either a coroutine to resume or a
// callback to call with its argument. Callbacks take an argument so that
// callers can pass a static function and a pointer instead of allocating a
// closure per call.
type entry struct {
	g   *G
	fn  func(any)
	arg any
}

// readyQueue is a FIFO ring buffer that grows by doubling and never shrinks
// below its high-water mark, so the steady state does not allocate.
type readyQueue struct {
	buf  []entry
	head int // index of the first element
	n    int // number of elements
}

func (q *readyQueue) len() int { return q.n }

func (q *readyQueue) push(e entry) {
	if q.n == len(q.buf) {
		q.grow()
	}
	i := q.head + q.n
	if i >= len(q.buf) {
		i -= len(q.buf)
	}
	q.buf[i] = e
	q.n++
}

func (q *readyQueue) pop() entry {
	e := q.buf[q.head]
	q.buf[q.head] = entry{} // drop references for the GC
	q.head++
	if q.head == len(q.buf) {
		q.head = 0
	}
	q.n--
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > 4096 {
			// A burst is over: do not keep a huge buffer forever.
			q.buf = make([]entry, 64)
		}
	}
	return e
}

func (q *readyQueue) grow() {
	size := 2 * len(q.buf)
	if size == 0 {
		size = 64
	}
	buf := make([]entry, size)
	k := copy(buf, q.buf[q.head:])
	copy(buf[k:], q.buf[:q.head])
	q.buf = buf
	q.head = 0
}

func (q *readyQueue) front() *entry { return &q.buf[q.head] }
