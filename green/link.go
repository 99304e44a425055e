package green

import (
	"fmt"

	"github.com/greenrt/green/hub"
)

// LinkID identifies a link for Unlink.
type LinkID uint32

// Link kinds.
const (
	linkSpawn = iota // user callback, run in a new greenlet
	linkRaw          // internal callback, run in the loop
	linkWake         // wake a parked greenlet
)

// Link filters.
const (
	linkAlways = iota
	linkOnValue
	linkOnError
)

// link is one node of a greenlet's links, kept newest first (prepending
// is O(1) and keeps the Greenlet small) and reversed when they fire.
type link struct {
	next   *link
	id     uint32
	kind   uint8
	filter uint8
	seq    uint32
	g      *hub.G
	fn     func(*Greenlet)
}

// Link arranges for fn(gl) to run, in a new greenlet of the same hub, once
// gl has finished, however it finished. Links fire asynchronously, after gl
// is dead, in the order they were added, each in its own greenlet, so one
// that blocks or fails does not hold up the others. A link added to a
// greenlet that has already finished fires too, on a later loop turn.
// Safe from any goroutine.
func (gl *Greenlet) Link(fn func(*Greenlet)) LinkID {
	return gl.addLink(link{kind: linkSpawn, filter: linkAlways, fn: fn})
}

// LinkValue is Link for successful outcomes only (gevent's link_value).
func (gl *Greenlet) LinkValue(fn func(*Greenlet)) LinkID {
	return gl.addLink(link{kind: linkSpawn, filter: linkOnValue, fn: fn})
}

// LinkError is Link for failures only (gevent's link_exception).
func (gl *Greenlet) LinkError(fn func(*Greenlet)) LinkID {
	return gl.addLink(link{kind: linkSpawn, filter: linkOnError, fn: fn})
}

// Unlink removes a link that has not fired yet, and reports whether it
// did. Safe from any goroutine; a greenlet of another hub parks for the
// answer rather than blocking its hub.
func (gl *Greenlet) Unlink(id LinkID) bool {
	h := gl.g.Hub()
	if h.OnHub() {
		return gl.unlink(uint32(id))
	}
	removed := false
	if g, _ := hub.Current(); g != nil {
		w := NewWaiter()
		if h.Post(func() { removed = gl.unlink(uint32(id)); w.Wake() }) != nil {
			return false
		}
		if w.Wait(forever, h) == hub.Interrupted {
			w.Raise()
		}
		return removed
	}
	h.Call(func() { removed = gl.unlink(uint32(id)) })
	return removed
}

// RawLink registers fn to run directly in the hub loop (not in a new
// greenlet) once gl has finished, before Link callbacks added later. fn
// must not block. It is the hook other primitives (AsyncResult, pools) use
// to follow a greenlet cheaply. Hub-only in spirit; from elsewhere it is
// posted.
func (gl *Greenlet) RawLink(fn func(*Greenlet)) LinkID {
	return gl.addLink(link{kind: linkRaw, filter: linkAlways, fn: fn})
}

func (gl *Greenlet) addLink(l link) LinkID {
	if l.fn == nil && l.kind != linkWake {
		return 0
	}
	l.id = gl.newLinkID()
	h := gl.g.Hub()
	if h.OnHub() {
		gl.addLinkOnHub(l)
	} else if h.Post(func() { gl.addLinkOnHub(l) }) != nil {
		return 0 // the hub has stopped
	}
	return LinkID(l.id)
}

// newLinkID returns a fresh, non-zero link id; safe from any goroutine, so
// that Link can return at once and post the registration (links posted by
// one goroutine are registered, and fire, in the order they were added).
func (gl *Greenlet) newLinkID() uint32 {
	id := gl.linkID.Add(1)
	if id == 0 {
		id = gl.linkID.Add(1)
	}
	return id
}

// addLinkOnHub appends a link and, if gl is already dead, schedules the
// notification. It assigns an id unless l has one. Hub-only.
func (gl *Greenlet) addLinkOnHub(l link) uint32 {
	if l.id == 0 {
		l.id = gl.newLinkID()
	}
	n := new(link)
	*n = l
	n.next = gl.links
	gl.links = n
	if gl.finished {
		gl.scheduleNotify()
	}
	return l.id
}

func (gl *Greenlet) unlink(id uint32) bool {
	for p := &gl.links; *p != nil; p = &(*p).next {
		if (*p).id == id {
			*p = (*p).next
			return true
		}
	}
	return false
}

func (gl *Greenlet) scheduleNotify() {
	if gl.notify || gl.links == nil {
		return
	}
	gl.notify = true
	gl.g.Hub().Callback(notifyLinks, gl)
}

// notifyLinks fires the links of a dead greenlet in order. Links added by
// the callbacks themselves fire in the same pass.
func notifyLinks(arg any) {
	gl := arg.(*Greenlet)
	if !gl.notify {
		return // already fired
	}
	gl.notify = false
	ok := gl.err == nil
	for gl.links != nil {
		// Take the current list in registration order; links added by
		// raw callbacks meanwhile form the next round.
		var l *link
		for n := gl.links; n != nil; {
			next := n.next
			n.next = l
			l = n
			n = next
		}
		gl.links = nil
		for ; l != nil; l = l.next {
			gl.fire(l, ok)
		}
	}
}

func (gl *Greenlet) fire(l *link, ok bool) {
	{
		if (l.filter == linkOnValue && !ok) || (l.filter == linkOnError && ok) {
			return
		}
		switch l.kind {
		case linkWake:
			l.g.Wake(l.seq)
		case linkRaw:
			gl.fireRaw(l.fn)
		case linkSpawn:
			lg := NewOn(gl.g.Hub(), l.fn, gl)
			lg.extra().name = fmt.Sprintf("link of %s", gl.Name())
			lg.startNow()
		}
	}
}

func (gl *Greenlet) fireRaw(fn func(*Greenlet)) {
	defer func() {
		if r := recover(); r != nil {
			gl.g.Hub().ReportError(fmt.Errorf("green: link of %s panicked: %v", gl.Name(), r))
		}
	}()
	fn(gl)
}
