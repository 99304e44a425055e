package green

import (
	"sync"

	"github.com/greenrt/green/hub"
)

// Tracer receives the life events of every greenlet of every hub: gevent's
// greenlet.settrace and gevent.events (spawn, switch, park, death). Each
// field is optional. The functions run on the hub in the middle of the
// event: they must be quick and must not park, spawn, wake or kill (a
// panic is reported to the hub's error handler). A greenlet argument is
// nil for the hub loop itself and for coroutines that are not greenlets.
//
// Cost: nothing but a nil check per event while no tracer is installed
// (the default); see hub.Tracer.
type Tracer struct {
	// Spawn: gl was started.
	Spawn func(gl *Greenlet)
	// Switch: the hub switches from one greenlet to another (from has
	// parked, yielded or finished; to is about to run).
	Switch func(from, to *Greenlet)
	// Park: gl is about to park, on what (a *Queue, an *Event, a
	// *Greenlet it joins, a *hub.FD...), for op; what is nil for a Sleep
	// (op hub.WaitSleep) and for waits that record nothing.
	Park func(gl *Greenlet, what any, op hub.WaitOp)
	// Death: gl's function returned, failed or was killed.
	Death func(gl *Greenlet)
}

var tracerMu sync.Mutex
var curTracer *Tracer

// SetTracer installs t for every hub (nil removes it) and returns the
// previous one. It replaces any hub.Tracer installed directly. Safe from
// any goroutine.
func SetTracer(t *Tracer) (old *Tracer) {
	tracerMu.Lock()
	defer tracerMu.Unlock()
	old, curTracer = curTracer, t
	if t == nil {
		hub.SetTracer(nil)
		return old
	}
	ht := &hub.Tracer{}
	if f := t.Spawn; f != nil {
		ht.Start = func(g *hub.G) {
			if gl := greenletOf(g); gl != nil {
				f(gl)
			}
		}
	}
	if f := t.Switch; f != nil {
		ht.Switch = func(from, to *hub.G) { f(greenletOf(from), greenletOf(to)) }
	}
	if f := t.Park; f != nil {
		ht.Park = func(g *hub.G) {
			if gl := greenletOf(g); gl != nil {
				what, op := g.ParkingOn()
				f(gl, what, op)
			}
		}
	}
	if f := t.Death; f != nil {
		ht.Death = func(g *hub.G) {
			if gl := greenletOf(g); gl != nil {
				f(gl)
			}
		}
	}
	hub.SetTracer(ht)
	return old
}

func greenletOf(g *hub.G) *Greenlet {
	if g == nil {
		return nil
	}
	gl, _ := g.Runner().(*Greenlet)
	return gl
}
