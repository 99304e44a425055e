package green

import (
	"fmt"
	"slices"

	"github.com/greenrt/green/hub"
)

// LinkID identifies a link for Unlink.
type LinkID uint32

// Link kinds.
const (
	linkSpawn = iota // user callback, run in a new greenlet
	linkRaw          // callback run in the loop (or the dying greenlet)
)

// Link filters.
const (
	linkAlways = iota
	linkOnValue
	linkOnError
)

// link is one link of a greenlet: a callback node of its WaitList, which
// holds the joiners (waiter nodes) as well, all in the order they came.
type link struct {
	node   hub.WaitNode[none]
	gl     *Greenlet
	kind   uint8
	filter uint8
	fn     func(*Greenlet)
}

// firedLink is a Link that fired, with the greenlet it runs in (kept out
// of link so that a link record fits the 128-byte size class).
type firedLink struct {
	id uint32
	lg *Greenlet
}

// Link arranges for fn(gl) to run, in a new greenlet of the same hub, once
// gl has finished, however it finished. Links fire asynchronously, after gl
// is dead, in the order they were added, each in its own greenlet, so one
// that blocks or fails does not hold up the others. A link added to a
// greenlet that has already finished fires too, on a later loop turn.
// Safe from any goroutine.
func (gl *Greenlet) Link(fn func(*Greenlet)) LinkID {
	return gl.addLink(linkSpawn, linkAlways, fn)
}

// LinkValue is Link for successful outcomes only (gevent's link_value).
func (gl *Greenlet) LinkValue(fn func(*Greenlet)) LinkID {
	return gl.addLink(linkSpawn, linkOnValue, fn)
}

// LinkError is Link for failures only (gevent's link_exception).
func (gl *Greenlet) LinkError(fn func(*Greenlet)) LinkID {
	return gl.addLink(linkSpawn, linkOnError, fn)
}

// RawLink registers fn to run directly in the hub loop (or in the dying
// greenlet, as it dies), not in a new greenlet, once gl has finished, in
// order with the other links. fn must not park. It is the hook other
// primitives (AsyncResult.SetFrom, pools) use to follow a greenlet cheaply.
// Safe from any goroutine (from elsewhere the registration is posted).
func (gl *Greenlet) RawLink(fn func(*Greenlet)) LinkID {
	return gl.addLink(linkRaw, linkAlways, fn)
}

// Unlink removes a link that has not fired yet, and reports whether it
// did. Safe from any goroutine; a greenlet of another hub parks for the
// answer, a plain goroutine blocks for it.
func (gl *Greenlet) Unlink(id LinkID) bool {
	if gl == nil {
		return false
	}
	h := gl.g.Hub()
	if h.OnHub() {
		return gl.unlink(uint32(id))
	}
	removed := false
	if ask(h, func() error { removed = gl.unlink(uint32(id)); return nil }) != nil {
		return false
	}
	return removed
}

func (gl *Greenlet) addLink(kind, filter uint8, fn func(*Greenlet)) LinkID {
	if gl == nil || fn == nil {
		return 0
	}
	l := &link{gl: gl, kind: kind, filter: filter, fn: fn}
	l.node.ID = gl.newLinkID()
	l.node.Fn = l // its own callback (Fire): no closure
	h := gl.g.Hub()
	if h.OnHub() {
		gl.linkOnHub(&l.node)
	} else if h.Post(func() { gl.linkOnHub(&l.node) }) != nil {
		return 0 // the hub has stopped
	}
	return LinkID(l.node.ID)
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

// linkOnHub links a node (a link or a joiner) and, if gl is already dead,
// schedules the notification. Hub-only.
func (gl *Greenlet) linkOnHub(n *hub.WaitNode[none]) {
	gl.links.PushBack(n)
	if gl.state.Load() == stDead {
		gl.scheduleNotify()
	}
}

func (gl *Greenlet) unlink(id uint32) bool {
	for n := range gl.links.All() {
		if n.ID == id && n.Fn != nil {
			return gl.links.Remove(n)
		}
	}
	if gl.x == nil {
		return false
	}
	// A Link that fired but whose greenlet has not run yet (an earlier
	// link unlinks a later one) is cancelled too: its greenlet never runs.
	fired := gl.x.fired[:0]
	found := false
	for _, l := range gl.x.fired {
		if !found && l.id == id && l.lg.g.CancelStart() {
			l.lg.die(nil, nil, true)
			found = true
			continue
		}
		if !l.lg.Dead() {
			fired = append(fired, l)
		}
	}
	clear(gl.x.fired[len(fired):])
	gl.x.fired = fired
	return found
}

func (gl *Greenlet) scheduleNotify() {
	if gl.notify || gl.links.Empty() {
		return
	}
	gl.notify = true
	gl.g.Hub().Callback(notifyLinks, gl)
}

// notifyLinks fires the links of a dead greenlet and wakes its joiners, in
// the order they came. Links added by the callbacks themselves fire in a
// further pass.
func notifyLinks(arg any) {
	gl := arg.(*Greenlet)
	if !gl.notify {
		return // already fired
	}
	gl.notify = false
	for !gl.links.Empty() {
		gl.links.Fire(none{})
	}
}

// Fire runs the link: gl has died (the callback of its node).
func (l *link) Fire() {
	gl := l.gl
	ok := !gl.failed
	if (l.filter == linkOnValue && !ok) || (l.filter == linkOnError && ok) {
		return
	}
	if l.kind == linkRaw {
		gl.fireRaw(l.fn)
		return
	}
	lg := NewOn(gl.g.Hub(), l.fn, gl)
	lg.SetName(fmt.Sprintf("link of %s", gl.Name()))
	lg.startNow()
	x := gl.extra()
	if len(x.fired) >= 8 { // drop the links that ran: only unrun ones matter
		x.fired = slices.DeleteFunc(x.fired, func(l firedLink) bool { return l.lg.Dead() })
	}
	x.fired = append(x.fired, firedLink{l.node.ID, lg})
}

func (gl *Greenlet) fireRaw(fn func(*Greenlet)) {
	defer func() {
		if r := recover(); r != nil {
			gl.g.Hub().ReportError(fmt.Errorf("green: link of %s panicked: %v", gl.Name(), r))
		}
	}()
	fn(gl)
}
