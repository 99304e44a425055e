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
	// waitLink registers fn to run on that hub whenever the object becomes
	// ready (at once if it is) and returns the function removing it. Both
	// run on the owner hub; fn must not park.
	waitLink(fn func()) (unlink func())
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
// any goroutine.
//
// Cost: a few small allocations per call and per object (the link and
// its closure); registering on, and unlinking from, the objects of another
// hub costs one hub.Hub.Call each (which briefly blocks a calling greenlet's
// hub). Each wake-up is one park.
func IWait(o WaitOptions, objs ...Waitable) iter.Seq[Waitable] {
	return func(yield func(Waitable) bool) {
		s := &readySet{}
		seen := make(map[Waitable]bool, len(objs))
		for _, obj := range objs {
			if obj != nil && !isNilWaitable(obj) && !seen[obj] {
				seen[obj] = true
				s.objs = append(s.objs, obj)
			}
		}
		want := len(s.objs)
		if o.Count > 0 && o.Count < want {
			want = o.Count
		}
		if want == 0 {
			return
		}
		s.seen = make([]bool, len(s.objs))
		unlinks := make([]func(), len(s.objs))
		defer func() {
			for i, u := range unlinks {
				if u == nil {
					continue
				}
				if h := s.objs[i].waitHub(); h.OnHub() {
					u()
				} else {
					h.Call(u)
				}
			}
		}()
		hubs := map[*hub.Hub]bool{}
		for i, obj := range s.objs {
			fn := func() { s.mark(i) }
			h := obj.waitHub()
			hubs[h] = true
			if h.OnHub() {
				unlinks[i] = obj.waitLink(fn)
			} else if h.Call(func() { unlinks[i] = obj.waitLink(fn) }) != nil {
				s.mark(i) // its hub is gone: nothing more will happen
			}
		}
		var deadline time.Time
		if o.Timeout > 0 {
			deadline = time.Now().Add(o.Timeout)
		}
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
			w := NewWaiter()
			s.w = w
			s.mu.Unlock()
			var stops []func()
			if w.g == nil {
				for h := range hubs {
					stops = append(stops, h.Waiting())
				}
			} else if len(hubs) > 1 || !hubs[w.h] {
				// Another hub may wake us: ours must not call this wait a
				// deadlock (as for a cross-hub Join).
				stops = append(stops, w.h.Hold())
			}
			res := w.Wait(d, nil)
			for _, stop := range stops {
				stop()
			}
			w.Cancel()
			s.mu.Lock()
			if s.w == w {
				s.w = nil
			}
			s.mu.Unlock()
			switch res {
			case hub.Interrupted:
				w.Raise()
			case hub.TimedOut:
				s.mu.Lock()
				more := s.next < len(s.order)
				s.mu.Unlock()
				if !more {
					return
				}
			}
		}
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
// the objects' hubs, the reader anywhere: it is guarded by a mutex.
type readySet struct {
	mu    sync.Mutex
	objs  []Waitable
	seen  []bool
	order []int
	next  int
	w     *Waiter
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
		w.Wake()
	}
}

func (gl *Greenlet) waitHub() *hub.Hub { return gl.Hub() }

func (gl *Greenlet) waitLink(fn func()) func() {
	if gl.finished {
		fn()
		return nil
	}
	id := gl.addLinkOnHub(link{kind: linkRaw, fn: func(*Greenlet) { fn() }})
	return func() { gl.unlink(id) }
}
