package green

import (
	"iter"
	"sync"
	"time"

	"github.com/greenrt/green/hub"
)

// Waitable is an object that Wait and IWait can wait for: *Greenlet
// (ready when dead), *Event (when set), *AsyncResult (when a result is
// set), *Semaphore and *BoundedSemaphore (when a permit is free), *Lock and
// *RLock (when unlocked). gevent's wait accepts any object with rawlink;
// here the set is closed.
type Waitable interface {
	// waitHub returns the hub that owns the object.
	waitHub() *hub.Hub
	// linkReady runs fn if the object is ready, or registers it to run
	// once when it becomes ready, and returns the function removing that
	// registration (nil if fn ran at once). Both run on the owner hub;
	// fn must not park.
	linkReady(fn func()) (unlink func())
}

// WaitOptions tune WaitWith and IWait. The zero value waits for every
// object without a time limit.
type WaitOptions struct {
	// Timeout bounds the whole wait; on expiry the objects ready so far
	// are returned (no error, as in gevent). Zero value: no bound.
	Timeout time.Duration
	// Count stops the wait once this many objects are ready. Zero value:
	// all of them.
	Count int
}

// Wait waits until every object is ready and returns them in the order
// they became ready (those ready at the call first, in argument order).
// See WaitWith.
func Wait(objs ...Waitable) []Waitable { return WaitWith(WaitOptions{}, objs...) }

// WaitWith is gevent's wait(objects, timeout, count): it returns the
// objects that became ready, in that order, once Count of them are ready
// or the Timeout expires. Nil objects and duplicates are ignored. In a
// greenlet a kill or Timeout interrupts it; a plain goroutine blocks.
func WaitWith(o WaitOptions, objs ...Waitable) []Waitable {
	var out []Waitable
	for w := range IWait(o, objs...) {
		out = append(out, w)
	}
	return out
}

// IWait yields the objects as they become ready (gevent's iwait), at most
// Count of them and until the Timeout expires. The links it places on the
// objects are removed when the loop ends, including by break. Safe from
// any goroutine, on objects of any hubs: registrations on another hub's
// objects are posted, never waited for, so that hubs waiting on each
// other's objects cannot wedge.
//
// Cost: a few small allocations per call and per object (its link). Each
// wake-up is one park.
func IWait(o WaitOptions, objs ...Waitable) iter.Seq[Waitable] {
	return func(yield func(Waitable) bool) {
		s := newReadySet(objs)
		want := len(s.objs)
		if o.Count > 0 && o.Count < want {
			want = o.Count
		}
		if want == 0 {
			return
		}
		s.link()
		defer s.unlink()
		s.loop(o.Timeout, want, yield)
	}
}

func isNilWaitable(w Waitable) bool {
	switch v := w.(type) {
	case *Greenlet:
		return v == nil
	case *Event:
		return v == nil
	case *AsyncResult:
		return v == nil
	case *Semaphore:
		return v == nil
	case *BoundedSemaphore:
		return v == nil
	case *Lock:
		return v == nil
	case *RLock:
		return v == nil
	}
	return false
}

// readySet records which objects became ready, in order. Its links run on
// the objects' hubs, the reader anywhere: it is guarded by a mutex, never
// held across a wait.
type readySet struct {
	mu      sync.Mutex
	objs    []Waitable
	seen    []bool
	order   []int
	next    int
	w       *hub.Waiter // the current wait, nil between waits
	unlinks []func()    // unlinks[i] is written and read on objs[i]'s hub
	from    *hub.Hub    // a greenlet's hub, observed by a plain goroutine
}

func newReadySet(objs []Waitable) *readySet {
	s := &readySet{}
	seen := make(map[Waitable]bool, len(objs))
	for _, obj := range objs {
		if obj != nil && !isNilWaitable(obj) && !seen[obj] {
			seen[obj] = true
			s.objs = append(s.objs, obj)
		}
	}
	s.seen = make([]bool, len(s.objs))
	s.unlinks = make([]func(), len(s.objs))
	return s
}

// link registers a link on every object, on its hub.
func (s *readySet) link() {
	for i, obj := range s.objs {
		fn := func() { s.mark(i) }
		h := obj.waitHub()
		if gl, ok := obj.(*Greenlet); ok && s.from == nil {
			s.from = gl.Hub()
		}
		register := func() { s.unlinks[i] = obj.linkReady(fn) }
		if h.OnHub() {
			register()
		} else if h.Post(register) != nil {
			s.mark(i) // its hub is gone: nothing more will happen
		}
	}
}

// unlink removes the links still registered, each on its hub.
func (s *readySet) unlink() {
	for i, obj := range s.objs {
		unlink := func() {
			if u := s.unlinks[i]; u != nil {
				u()
				s.unlinks[i] = nil
			}
		}
		if h := obj.waitHub(); h.OnHub() {
			unlink()
		} else {
			h.Post(unlink)
		}
	}
}

// loop yields the ready objects, waiting for more, until want were yielded,
// the timeout passes or yield says stop.
func (s *readySet) loop(timeout time.Duration, want int, yield func(Waitable) bool) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	w := new(hub.Waiter)
	for yielded := 0; yielded < want; {
		s.mu.Lock()
		if s.next < len(s.order) {
			i := s.order[s.next]
			s.next++
			s.mu.Unlock()
			yielded++
			if !yield(s.objs[i]) {
				return
			}
			continue
		}
		d := forever
		if !deadline.IsZero() {
			if d = time.Until(deadline); d <= 0 {
				s.mu.Unlock()
				return
			}
		}
		w.Prepare()
		s.w = w
		s.mu.Unlock()
		if g := w.G(); g != nil {
			g.SetWaitingOn(s, hub.WaitOther)
		}
		res := w.Wait(d, s.from)
		s.mu.Lock()
		s.w = nil
		s.mu.Unlock()
		switch res {
		case hub.Interrupted:
			w.Raise()
		case hub.TimedOut:
			return
		}
		if w.Err() != nil {
			return // a plain goroutine's wait failed (deadlock, stop)
		}
	}
}

func (s *readySet) mark(i int) {
	s.mu.Lock()
	if s.seen[i] {
		s.mu.Unlock()
		return
	}
	s.seen[i] = true
	s.order = append(s.order, i)
	w := s.w
	s.w = nil
	s.mu.Unlock()
	if w != nil {
		w.Notify()
	}
}

func (gl *Greenlet) waitHub() *hub.Hub { return gl.Hub() }

func (gl *Greenlet) linkReady(fn func()) func() {
	if gl.state.Load() == stDead {
		fn()
		return nil
	}
	n := &hub.WaitNode[none]{Fn: hub.CallbackFunc(fn)}
	gl.links.PushBack(n)
	return func() { gl.links.Remove(n) }
}
