package hub

import (
	"sync/atomic"
	"time"
)

// What a G is and what it waits for, for the blocking monitor, run-info
// (package green's PrintRunInfo) and tracing. Recording it is part of the
// hot paths, so it is a few plain stores: a PC, an id, an object and an
// enum, formatted only when somebody asks.

// WaitOp says what a parked coroutine waits for from the object it waits
// on (see SetWaitingOn).
type WaitOp uint8

// Wait operations.
const (
	WaitNone    WaitOp = iota // nothing recorded
	WaitSleep                 // its park timeout (a Sleep); no object
	WaitRead                  // an *FD to become readable
	WaitWrite                 // an *FD to become writable
	WaitGet                   // an item (a queue, a channel), a value (a result)
	WaitPut                   // room in a queue, a taker on a channel
	WaitPeek                  // an item to look at
	WaitAcquire               // a permit (a semaphore, a lock)
	WaitEvent                 // an event to be set
	WaitJoin                  // a coroutine (greenlet) to finish
	WaitCall                  // a function running elsewhere (another hub, a thread pool)
	WaitIdle                  // the hub to have nothing else to do
	WaitOther                 // whatever the object's description says
)

var waitOpNames = [...]string{
	WaitNone: "", WaitSleep: "sleep", WaitRead: "read", WaitWrite: "write",
	WaitGet: "get", WaitPut: "put", WaitPeek: "peek", WaitAcquire: "acquire",
	WaitEvent: "wait", WaitJoin: "join", WaitCall: "call", WaitIdle: "idle",
	WaitOther: "wait",
}

func (op WaitOp) String() string {
	if int(op) < len(waitOpNames) {
		return waitOpNames[op]
	}
	return "wait"
}

// gids hands out G ids in blocks, so that a hub takes one atomic step per
// 256 starts and ids stay unique in the process.
var gids atomic.Uint64

const gidBlock = 256

// ID returns g's id, unique in the process, given by Init. Safe from any
// goroutine.
func (g *G) ID() uint64 { return g.id }

// SetName names g for reports, run-info and profile labels. Safe from any
// goroutine, at any time.
func (g *G) SetName(name string) { g.name.Store(&name) }

// Named reports whether SetName was called. Safe from any goroutine.
func (g *G) Named() bool { return g.name.Load() != nil }

// Name returns the name given to SetName, or "". Safe from any goroutine.
func (g *G) Name() string {
	if p := g.name.Load(); p != nil {
		return *p
	}
	return ""
}

// SetOrigin records where g was created: pc, a return address in the
// function that created it (0 if not recorded), and the coroutine that
// did (nil for a plain goroutine or a callback). Call it before Start.
func (g *G) SetOrigin(pc uintptr, parent *G) {
	g.pc = pc
	if parent != nil {
		g.parent = parent.id
	}
}

// Origin returns what SetOrigin recorded: the creation PC and the id of
// the creating coroutine (0 if none). Safe from any goroutine once g has
// started.
func (g *G) Origin() (pc uintptr, parent uint64) { return g.pc, g.parent }

// SetWaitingOn records what g, the running coroutine, is about to park on
// and why: the object it waits on (a queue, an *FD, a G, anything with a
// String method) and the operation. Park clears it when it returns. It
// costs two stores; nothing is formatted until somebody asks (WaitingOn).
// Hub-only.
func (g *G) SetWaitingOn(what any, op WaitOp) {
	g.what, g.op = what, op
}

// ParkingOn returns what SetWaitingOn recorded for g's current or coming
// park (what a Tracer's Park sees). Hub-only.
func (g *G) ParkingOn() (what any, op WaitOp) {
	if g.op == WaitNone {
		return nil, WaitNone
	}
	return g.what, g.op
}

// WaitingOn returns what g is parked on and for how long it has been
// parked, or nil, WaitNone, 0 if g is not parked or its park recorded
// nothing. The duration is measured from the loop turn during which g
// parked, to within the blocking monitor's sampling period (25 ms by
// default): the stamp is the monitor's clock, which costs the park path
// nothing; 0 when no hub is monitored and the turn read no clock (no
// timers). Hub-only.
func (g *G) WaitingOn() (what any, op WaitOp, parked time.Duration) {
	if g.state != gParked {
		return nil, WaitNone, 0
	}
	if g.since != 0 {
		parked = time.Duration(nanotime() - g.since)
	}
	if g.op == WaitNone {
		return nil, WaitNone, parked
	}
	return g.what, g.op, parked
}

// SleepUntil returns the monotonic deadline of g's park timeout, if
// armed, as a duration from now. Hub-only.
func (g *G) SleepUntil() (d time.Duration, ok bool) {
	if g.timer.pos == 0 {
		return 0, false
	}
	return time.Duration(g.timer.when - nanotime()), true
}

// State returns g's state: "new", "ready", "running", "parked" or
// "dead". Hub-only.
func (g *G) State() string {
	switch g.state {
	case gIdle:
		return "new"
	case gReady:
		return "ready"
	case gRunning:
		return "running"
	case gParked:
		return "parked"
	}
	return "dead"
}

// assignID gives g its id: from the hub's block of ids on the hub, with
// an atomic increment elsewhere.
func (h *Hub) assignID(g *G) {
	if h.OnHub() && h.ext.idNext != h.ext.idEnd { // inlined: the common case
		g.id = h.ext.idNext
		h.ext.idNext++
		return
	}
	h.assignIDSlow(g)
}

func (h *Hub) assignIDSlow(g *G) {
	if !h.OnHub() {
		g.id = gids.Add(1)
		return
	}
	e := &h.ext
	e.idEnd = gids.Add(gidBlock) + 1
	e.idNext = e.idEnd - gidBlock
	g.id = e.idNext
	e.idNext++
}
