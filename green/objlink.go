package green

import (
	"fmt"

	"github.com/greenrt/green/hub"
)

// Raw links on Event, AsyncResult and Semaphore (gevent's rawlink and
// unlink on its AbstractLinkable objects).
//
// A raw link is a callback node of the object's wait list, in order with
// its waiters. It runs in the hub loop (or in the greenlet that made the
// object ready), must not park, and stays linked until Unlink: it runs
// each time the object becomes ready (every Set of an Event, every
// Release that leaves a permit free), and on a later loop turn if the
// object is ready when it is linked. A panic in it is reported to the
// hub's error handler.

// objLinks is an object's set of raw links, allocated at its first
// RawLink. Hub-owned.
type objLinks struct {
	next uint32
	m    map[uint32]*objLink
}

type objLink struct {
	node hub.WaitNode[none]
	list *hub.WaitList[none]
	h    *hub.Hub
	fn   func()
	off  bool // unlinked: never runs again
}

// rawLink links fn to list (ready: the object is ready now). Hub-only.
func rawLink(ls **objLinks, list *hub.WaitList[none], h *hub.Hub, ready bool, fn func()) LinkID {
	if *ls == nil {
		*ls = &objLinks{m: map[uint32]*objLink{}}
	}
	s := *ls
	s.next++
	if s.next == 0 {
		s.next++
	}
	l := &objLink{list: list, h: h, fn: fn}
	l.node.ID = s.next
	l.node.Fn = l // its own callback (Fire): no closure
	s.m[s.next] = l
	if ready {
		h.Callback(fireObjLink, l)
	} else {
		list.PushBack(&l.node)
	}
	return LinkID(s.next)
}

func fireObjLink(arg any) { arg.(*objLink).Fire() }

// Fire runs the callback and links it again for the next time (a Fire
// leaves nodes linked while it runs to the next one).
func (l *objLink) Fire() {
	if l.off {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			l.h.ReportError(fmt.Errorf("green: raw link panicked: %v", r))
		}
		if !l.off {
			l.list.PushBack(&l.node)
		}
	}()
	l.fn()
}

// rawUnlink removes the link id and reports whether it was linked.
// Hub-only.
func rawUnlink(ls *objLinks, id LinkID) bool {
	if ls == nil {
		return false
	}
	l := ls.m[uint32(id)]
	if l == nil {
		return false
	}
	delete(ls.m, uint32(id))
	l.off = true
	l.list.Remove(&l.node)
	return true
}

// onOwner runs fn on h for a caller anywhere: inline on h, otherwise
// posted and waited for (ask).
func onOwner(h *hub.Hub, local bool, fn func()) {
	if local {
		fn()
		return
	}
	ask(h, func() error { fn(); return nil })
}

// RawLink registers fn(e) to run each time the event is set (and on a
// later loop turn if it is set now), in the hub loop: fn must not park.
// Safe from any goroutine (from elsewhere it waits for the registration).
// gevent's Event.rawlink.
func (e *Event) RawLink(fn func(*Event)) LinkID {
	if fn == nil {
		return 0
	}
	var id LinkID
	_, h, local := e.where()
	onOwner(h, local, func() {
		id = rawLink(&e.links, &e.waiters, h, e.flag.Load(), func() { fn(e) })
	})
	return id
}

// Unlink removes a RawLink and reports whether it was linked.
func (e *Event) Unlink(id LinkID) bool {
	ok := false
	_, h, local := e.where()
	onOwner(h, local, func() { ok = rawUnlink(e.links, id) })
	return ok
}

// RawLink registers fn(r) to run once the result is set (on a later loop
// turn if it is set now), in the hub loop: fn must not park. gevent's
// AsyncResult.rawlink.
func (r *AsyncResult) RawLink(fn func(*AsyncResult)) LinkID {
	if fn == nil {
		return 0
	}
	var id LinkID
	_, h, local := r.where()
	onOwner(h, local, func() {
		id = rawLink(&r.links, &r.waiters, h, r.res.Load() != nil, func() { fn(r) })
	})
	return id
}

// Unlink removes a RawLink and reports whether it was linked.
func (r *AsyncResult) Unlink(id LinkID) bool {
	ok := false
	_, h, local := r.where()
	onOwner(h, local, func() { ok = rawUnlink(r.links, id) })
	return ok
}

// RawLink registers fn(s) to run each time a Release leaves a permit free
// (and on a later loop turn if one is free now), in the hub loop: fn must
// not park. gevent's Semaphore.rawlink.
func (s *Semaphore) RawLink(fn func(*Semaphore)) LinkID {
	if fn == nil {
		return 0
	}
	var id LinkID
	_, h, local := s.where()
	onOwner(h, local, func() {
		s.lazy()
		id = rawLink(&s.links, &s.waiters, h, s.count > 0, func() { fn(s) })
	})
	return id
}

// Unlink removes a RawLink and reports whether it was linked.
func (s *Semaphore) Unlink(id LinkID) bool {
	ok := false
	_, h, local := s.where()
	onOwner(h, local, func() { ok = rawUnlink(s.links, id) })
	return ok
}
