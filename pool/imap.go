package pool

import (
	"iter"
	"sync"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// ImapOptions tune ImapWith and ImapUnorderedWith. The zero value is what
// Imap and ImapUnordered use.
type ImapOptions struct {
	// Buffer bounds how many items may be running or finished but not yet
	// consumed at once (gevent's imap maxsize); the input is not read
	// further until the consumer catches up. Zero value: the pool's Size
	// (at least 1), or 256 on an unbounded Group. Negative: 1.
	Buffer int
}

// Imap returns an iterator over fn applied to every item of in, in the
// order of in (gevent's Pool.imap). Each item runs in its own greenlet,
// a member of s, so at most Size run at once on a Pool.
//
// It is lazy: nothing starts until the iteration begins, the input is read
// by a feeder greenlet (not a member of s) only as far as the Buffer bound
// (ImapOptions) allows, and results that finished ahead of an earlier, slower item wait
// in that buffer. Each pair is the item's result and error; a failed item
// does not stop the others, and the consumer may stop at any point.
//
// When the iteration ends early (break, return, a panic in the loop body,
// or a kill of the consuming greenlet), the feeder and the running items
// are killed and awaited before control leaves the loop: nothing outlives
// it. A panic in fn re-panics in the consumer, at that item's turn, with a
// *green.PanicError carrying the item greenlet's stack; so does a panic of
// the input sequence, after the items before it.
//
// An item whose greenlet is killed by someone else yields ErrTaskKilled.
// Iterating from one of the pool's own members on a full Pool deadlocks.
//
// Cost per item: one greenlet, one membership, a few small allocations.
func Imap[In, Out any](s Spawner, in iter.Seq[In], fn func(In) (Out, error)) iter.Seq2[Out, error] {
	return imap(ImapOptions{}, s, in, fn, true)
}

// ImapWith is Imap with options.
func ImapWith[In, Out any](o ImapOptions, s Spawner, in iter.Seq[In], fn func(In) (Out, error)) iter.Seq2[Out, error] {
	return imap(o, s, in, fn, true)
}

// ImapUnordered is Imap yielding results in the order the items finish
// (gevent's imap_unordered). Buffer then bounds the items running or
// finished but not yet consumed.
func ImapUnordered[In, Out any](s Spawner, in iter.Seq[In], fn func(In) (Out, error)) iter.Seq2[Out, error] {
	return imap(ImapOptions{}, s, in, fn, false)
}

// ImapUnorderedWith is ImapUnordered with options.
func ImapUnorderedWith[In, Out any](o ImapOptions, s Spawner, in iter.Seq[In], fn func(In) (Out, error)) iter.Seq2[Out, error] {
	return imap(o, s, in, fn, false)
}

func imap[In, Out any](o ImapOptions, s Spawner, in iter.Seq[In], fn func(In) (Out, error), ordered bool) iter.Seq2[Out, error] {
	return func(yield func(Out, error) bool) {
		g := groupOf(s)
		if g == nil || fn == nil || in == nil {
			var zero Out
			yield(zero, ErrNilFunc)
			return
		}
		n := o.Buffer
		if n < 0 {
			n = 1
		}
		if n == 0 {
			n = 256
			if g.bounded {
				n = max(g.size, 1)
			}
		}
		st := &stream[In, Out]{g: g, h: g.spawnHub(), in: in, fn: fn, max: n,
			ordered: ordered, live: make(map[*green.Greenlet]struct{})}
		if ordered {
			st.ring = make([]*task[In, Out], n)
		}
		st.feeder = green.NewOn(st.h, st.feed)
		st.feeder.Start()
		defer st.close()
		for {
			t := st.nextResult()
			if t == nil {
				break
			}
			if t.pan != nil {
				rePanic(t.pan)
			}
			if !yield(t.v, t.err) {
				return
			}
		}
		if st.feedPanic != nil {
			rePanic(st.feedPanic)
		}
	}
}

// stream is the state of one Imap or ImapUnordered iteration.
type stream[In, Out any] struct {
	g       *Group
	h       *hub.Hub
	in      iter.Seq[In]
	fn      func(In) (Out, error)
	max     int
	ordered bool
	feeder  *green.Greenlet

	mu        sync.Mutex
	ring      []*task[In, Out] // ordered: finished items, by index mod max
	fifo      []*task[In, Out] // unordered: finished items
	next      int              // ordered: index of the next item to yield
	launched  int              // items handed to a greenlet (or about to be)
	consumed  int
	inputDone bool
	closed    bool
	feedPanic *panics.Recovered
	live      map[*green.Greenlet]struct{}
	consW     *waiter
	feedW     *waiter
}

// nextResult waits for the next finished item, or returns nil when the
// input is exhausted and every item was consumed.
func (st *stream[In, Out]) nextResult() *task[In, Out] {
	for {
		st.mu.Lock()
		var t *task[In, Out]
		if st.ordered {
			slot := st.next % st.max
			if t = st.ring[slot]; t != nil {
				st.ring[slot] = nil
				st.next++
			}
		} else if len(st.fifo) > 0 {
			t = st.fifo[0]
			st.fifo[0] = nil
			st.fifo = st.fifo[1:]
		}
		if t != nil {
			st.consumed++
			if w := st.feedW; w != nil {
				st.feedW = nil
				w.Wake()
			}
			st.mu.Unlock()
			return t
		}
		if st.inputDone && st.consumed == st.launched {
			st.mu.Unlock()
			return nil
		}
		w := newWaiter()
		st.consW = w
		st.mu.Unlock()
		if w.Wait(forever, st.h) == hub.Interrupted {
			st.mu.Lock()
			st.consW = nil
			st.mu.Unlock()
			w.Raise()
		}
	}
}

// wakeConsumer wakes the consumer if it waits. Caller holds st.mu.
func (st *stream[In, Out]) wakeConsumer() {
	if w := st.consW; w != nil {
		st.consW = nil
		w.Wake()
	}
}

// feed is the feeder greenlet: it reads the input and spawns one member
// greenlet per item, within the buffer bound and the pool's slots.
func (st *stream[In, Out]) feed() {
	pending := false // launched counts an item not spawned yet
	defer func() {
		p := recover()
		st.mu.Lock()
		if pending {
			st.launched--
		}
		st.inputDone = true
		if p != nil && !isInterrupt(p) {
			st.feedPanic = recovered(p)
		}
		st.wakeConsumer()
		st.mu.Unlock()
		if p != nil && isInterrupt(p) {
			panic(p)
		}
	}()
	for item := range st.in {
		st.mu.Lock()
		for !st.closed && st.launched-st.consumed >= st.max {
			w := newWaiter()
			st.feedW = w
			st.mu.Unlock()
			if w.Wait(forever, st.h) == hub.Interrupted {
				st.mu.Lock()
				st.feedW = nil
				st.mu.Unlock()
				w.Raise()
			}
			st.mu.Lock()
		}
		if st.closed {
			st.mu.Unlock()
			return
		}
		idx := st.launched
		st.launched++
		pending = true
		st.mu.Unlock()

		st.g.acquire(forever)
		t := &task[In, Out]{fn: st.fn, in: item, idx: idx}
		gl := green.NewOn(st.h, t.run)
		st.mu.Lock()
		if st.closed {
			st.mu.Unlock()
			st.g.release()
			return
		}
		st.live[gl] = struct{}{}
		pending = false
		st.mu.Unlock()
		st.g.add(gl, true, func(gl *green.Greenlet) { st.finish(t, gl) })
		gl.Start()
	}
}

// finish runs in the hub loop when an item's greenlet has died.
func (st *stream[In, Out]) finish(t *task[In, Out], gl *green.Greenlet) {
	t.settle(gl)
	st.mu.Lock()
	delete(st.live, gl)
	if st.ordered {
		st.ring[t.idx%st.max] = t
	} else {
		st.fifo = append(st.fifo, t)
	}
	st.wakeConsumer()
	st.mu.Unlock()
}

// close stops the feeder, then kills the items still running, and waits
// for all of them.
func (st *stream[In, Out]) close() {
	st.mu.Lock()
	st.closed = true
	if w := st.feedW; w != nil {
		st.feedW = nil
		w.Wake()
	}
	st.mu.Unlock()
	st.feeder.Kill()
	st.mu.Lock()
	victims := make([]*green.Greenlet, 0, len(st.live))
	for gl := range st.live {
		victims = append(victims, gl)
	}
	st.mu.Unlock()
	green.KillAll(victims...)
}
