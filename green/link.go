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

type link struct {
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
// did. Safe from any goroutine.
func (gl *Greenlet) Unlink(id LinkID) bool {
	removed := false
	gl.h.Call(func() { removed = gl.unlink(uint32(id)) })
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
	var id uint32
	gl.h.Call(func() { id = gl.addLinkOnHub(l) })
	return LinkID(id)
}

// addLinkOnHub appends a link and, if gl is already dead, schedules the
// notification. Hub-only.
func (gl *Greenlet) addLinkOnHub(l link) uint32 {
	gl.linkID++
	if gl.linkID == 0 {
		gl.linkID++
	}
	l.id = gl.linkID
	gl.links = append(gl.links, l)
	if gl.finished {
		gl.scheduleNotify()
	}
	return l.id
}

func (gl *Greenlet) unlink(id uint32) bool {
	for i := range gl.links {
		if gl.links[i].id == id {
			gl.links = append(gl.links[:i], gl.links[i+1:]...)
			gl.links[len(gl.links):cap(gl.links)][0] = link{}
			return true
		}
	}
	return false
}

func (gl *Greenlet) scheduleNotify() {
	if gl.notify || len(gl.links) == 0 {
		return
	}
	gl.notify = true
	gl.h.Callback(notifyLinks, gl)
}

// notifyLinks fires the links of a dead greenlet in order. Links added by
// the callbacks themselves fire in the same pass.
func notifyLinks(arg any) {
	gl := arg.(*Greenlet)
	gl.notify = false
	ok := gl.err == nil
	for len(gl.links) > 0 {
		l := gl.links[0]
		gl.links[0] = link{}
		gl.links = gl.links[1:]
		if (l.filter == linkOnValue && !ok) || (l.filter == linkOnError && ok) {
			continue
		}
		switch l.kind {
		case linkWake:
			l.g.Wake(l.seq)
		case linkRaw:
			gl.fireRaw(l.fn)
		case linkSpawn:
			lg := NewOn(gl.h, l.fn, gl)
			lg.name = fmt.Sprintf("link of %s", gl.Name())
			lg.startNow()
		}
	}
	gl.links = gl.inl[:0]
}

func (gl *Greenlet) fireRaw(fn func(*Greenlet)) {
	defer func() {
		if r := recover(); r != nil {
			gl.h.ReportError(fmt.Errorf("green: link of %s panicked: %v", gl.Name(), r))
		}
	}()
	fn(gl)
}
