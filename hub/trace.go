package hub

import "sync/atomic"

// Tracer receives the life events of every coroutine of every hub:
// greenlet.settrace and gevent.events for this runtime. Each field is
// optional. The functions run on the hub, in the middle of the event
// (during a switch, before the park), so they must be quick and must not
// park, switch, or call back into the hub's scheduling (spawn, wake);
// reading the G (ID, Name, WaitingOn, Runner) is fine. A panic in one is
// reported to the hub's error handler.
//
// Cost: one atomic load and a nil check per event while no tracer is set
// (SetTracer(nil)), which is the default.
type Tracer struct {
	// Start: g was started (Spawn); it will run on a later turn.
	Start func(g *G)
	// Switch: the hub switches from one coroutine to another; either is
	// nil for the loop itself (callbacks, timers, I/O). from has parked,
	// yielded or finished; to is about to run.
	Switch func(from, to *G)
	// Park: g is about to park; g.WaitingOn tells on what, when the
	// parking code recorded it.
	Park func(g *G)
	// Death: g's body has returned (or failed); g will not run again.
	Death func(g *G)
}

var tracer atomic.Pointer[Tracer]

// SetTracer installs t for every hub of the process (nil removes it) and
// returns the previous one. Safe from any goroutine; hubs see the change at
// their next event.
func SetTracer(t *Tracer) (old *Tracer) { return tracer.Swap(t) }

// The trace points are inlined nil checks; the calls, with their
// recovery, are out of line, so that a hub without a tracer pays a load
// and a branch per event.

func traceStart(g *G) {
	if t := tracer.Load(); t != nil {
		t.start(g)
	}
}

func traceSwitch(from, to *G) {
	if t := tracer.Load(); t != nil {
		t.switched(from, to)
	}
}

func tracePark(g *G) {
	if t := tracer.Load(); t != nil {
		t.park(g)
	}
}

func traceDeath(g *G) {
	if t := tracer.Load(); t != nil {
		t.death(g)
	}
}

func (t *Tracer) start(g *G) {
	if t.Start == nil {
		return
	}
	defer traceRecover(g.h)
	t.Start(g)
}

func (t *Tracer) switched(from, to *G) {
	if t.Switch == nil {
		return
	}
	h := to
	if h == nil {
		h = from
	}
	defer traceRecover(h.h)
	t.Switch(from, to)
}

func (t *Tracer) park(g *G) {
	if t.Park == nil {
		return
	}
	defer traceRecover(g.h)
	t.Park(g)
}

func (t *Tracer) death(g *G) {
	if t.Death == nil {
		return
	}
	defer traceRecover(g.h)
	t.Death(g)
}

// traceRecover keeps a panicking tracer from unwinding through the
// scheduler: the panic is reported instead.
func traceRecover(h *Hub) {
	if r := recover(); r != nil {
		h.ReportError(panicError(r))
	}
}
