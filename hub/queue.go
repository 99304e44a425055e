package hub

import "github.com/greenrt/green/internal/ring"

// entry is one item of the ready queue: either a coroutine to resume or a
// callback to call with its argument. Callbacks take an argument so that
// callers can pass a static function and a pointer instead of allocating a
// closure per call.
type entry struct {
	g   *G
	fn  func(any)
	arg any
}

// readyQueue is the hub's FIFO of ready entries: the module's ring buffer,
// which grows by doubling and keeps its high-water mark, so the steady state
// does not allocate, but drops a buffer of more than 4096 entries once a
// burst is over.
type readyQueue struct{ r ring.Ring[entry] }

func (q *readyQueue) len() int      { return q.r.Len() }
func (q *readyQueue) push(e entry)  { q.r.PushBack(e) }
func (q *readyQueue) front() *entry { return q.r.Front() }
func (q *readyQueue) pop() entry    { return q.r.PopFront() }

// shrink drops a buffer of more than 4096 entries once the queue is empty;
// the loop calls it after a round of ready entries (not pop, which stays
// small enough to inline into the switch path).
func (q *readyQueue) shrink() { q.r.Shrink(4096) }
