package hub

import (
	"sync/atomic"
	"time"
)

// Runner is the body of a coroutine. Run is called once, on the
// coroutine's own goroutine, when the hub first resumes the G. Run should
// recover its own panics; a panic that escapes Run, or a call to
// runtime.Goexit inside it, is caught by the hub, which calls Abort with the
// error, reports it and keeps running.
type Runner interface {
	Run(g *G)
	Abort(g *G, err error)
}

// States of a G.
const (
	gIdle    uint8 = iota // initialised, not started
	gReady                // in the ready queue
	gRunning              // executing (it is the hub's current G)
	gParked               // waiting for Wake or a timer
	gDead                 // Run returned
)

// ParkResult says why Park returned.
type ParkResult uint8

const (
	// Woken: a Wake for this park arrived.
	Woken ParkResult = iota
	// TimedOut: the park's timeout expired first.
	TimedOut
	// Interrupted: an interrupt is pending. The caller must undo its
	// registrations and call Raise.
	Interrupted
)

// G is a coroutine scheduled by a hub: gevent's greenlet as the hub sees it.
// Its zero value is not usable; call Init. A G is usually embedded in a
// larger object (package green embeds it in Greenlet) so that spawning
// allocates once.
//
// Only one G of a hub runs at a time, and only between two parks, so state
// touched only by the G's of one hub needs no locks. Every method except Hub
// and Runner must be called on the hub.
type G struct {
	h     *Hub
	r     Runner
	w     *worker
	state uint8
	op    WaitOp // what the park is for, with what (ginfo.go)
	// raised: intr has been raised (see intr); timedOut: the current park
	// ended because its timer fired. Beside state and op, so that the four
	// bytes and seq share one word (a Greenlet fits the 256-byte class).
	raised   bool
	timedOut bool
	seq      uint32
	// intr is the pending interrupt, raised at the next park, or, once
	// raised is set, the interrupt most recently raised.
	intr  any
	timer Timer // park timeout; a G parks at most once at a time

	// parked list, for deadlock detection and Stop
	pprev, pnext *G

	// Identity and what the G waits for: see ginfo.go.
	id     uint64
	parent uint64
	pc     uintptr
	name   atomic.Pointer[string]
	what   any
	since  int64
}

// Init prepares g to run r on h and gives it its id (see ID). It must be
// called before Start, once. Safe from any goroutine.
func (g *G) Init(h *Hub, r Runner) {
	g.h, g.r = h, r
	h.assignID(g)
}

// Hub returns the hub g belongs to.
func (g *G) Hub() *Hub { return g.h }

// Runner returns the body g was initialised with.
func (g *G) Runner() Runner { return g.r }

// Started reports whether g has been scheduled by Start.
func (g *G) Started() bool { return g.state != gIdle }

// Dead reports whether g's Run has returned.
func (g *G) Dead() bool { return g.state == gDead }

// Start puts g at the back of the ready queue: it begins running on a later
// turn of the loop, never inside Start. Hub-only.
func (g *G) Start() {
	h := g.h
	h.mustOnHub()
	if g.state != gIdle {
		return
	}
	g.state = gReady
	h.live++
	h.ready.push(entry{g: g})
	traceStart(g)
}

// CancelStart takes back a Start: if g is in the ready queue and has never
// run, it is dead at once (Run is never called; its ready entry is
// skipped) and CancelStart reports true. A G that has begun running, or
// was never started, is left alone. Hub-only.
func (g *G) CancelStart() bool {
	if g.state != gReady || g.w != nil {
		return false
	}
	g.h.mustOnHub()
	g.state = gDead
	traceDeath(g)
	g.h.live--
	return true
}

// Seq identifies the current (or, when g is running, the next) park of g.
// Wakers record it with g and pass it to Wake, so that a wake-up meant for
// an earlier park is ignored.
func (g *G) Seq() uint32 { return g.seq }

// Park suspends g, which must be the running G, until Wake(seq) is called
// with the current Seq, the timeout expires (timeout < 0: never), or an
// interrupt is pending. It panics with ErrNotCoroutine if called outside a
// coroutine, or ErrNotOnHub off the hub.
func (g *G) Park(timeout time.Duration) ParkResult {
	h := g.h
	me, locked := getgLocked()
	if h.cur != g || g.w == nil || me != g.w.gid {
		h.mustInCoroutine()
	}
	if g.pending() {
		g.seq++ // this park is over too: wake-ups recorded for it are stale
		return Interrupted
	}
	refuseLocked(locked)
	if timeout >= 0 {
		g.parkTimer(timeout)
	}
	g.timedOut = false
	g.state = gParked
	g.since = h.ext.now
	h.parkedAdd(g)
	if h.ext.watch != nil {
		h.ext.watch.out(g)
	}
	tracePark(g)
	h.schedule(&g.w.ctx)
	// Resumed by the hub: Wake, timeout or interrupt already bumped seq.
	// The record is over (what stays until the next park or death:
	// clearing a byte costs less than an interface).
	g.op = WaitNone
	if h.ext.watch != nil {
		h.ext.watch.in(g)
	}
	if g.timer.pos != 0 {
		g.stopParkTimer()
	}
	timedOut := g.timedOut
	g.timedOut = false
	if g.pending() {
		return Interrupted
	}
	if timedOut {
		return TimedOut
	}
	return Woken
}

// parkTimer starts the timer of a park with a timeout. It and
// stopParkTimer are helpers of their own so that Park's frame, on the
// stack of every parked coroutine, stays small: a parked plain handler
// should fit the runtime's 2 KiB starting stack (issue 13).
//
//go:noinline
func (g *G) parkTimer(timeout time.Duration) {
	g.timer.fn, g.timer.arg = wakeTimeout, g
	g.h.armTimer(&g.timer, timeout)
}

//go:noinline
func (g *G) stopParkTimer() { g.h.stopTimer(&g.timer) }

func wakeTimeout(arg any) {
	g := arg.(*G)
	if g.state != gParked {
		return
	}
	g.h.unpark(g)
	g.timedOut = true
}

// Wake makes g runnable if it is parked in the park identified by seq, and
// reports whether it did. Hub-only; it never switches.
func (g *G) Wake(seq uint32) bool {
	if g.state != gParked || g.seq != seq {
		return false
	}
	g.h.unpark(g)
	return true
}

// Interrupt makes g's current park (or its next one, if g is not parked)
// return Interrupted, after which the parking code calls Raise, which
// panics with v. A later Interrupt replaces a pending one. v must be
// comparable (a pointer or a sentinel error). An interrupt delivered to a G
// that has not started yet is seen by its Runner through PendingInterrupt.
// Hub-only.
func (g *G) Interrupt(v any) {
	if g.state == gDead || v == nil {
		return
	}
	g.intr, g.raised = v, false
	if g.state == gParked {
		g.h.unpark(g)
	}
}

// PendingInterrupt returns the interrupt that the next park will raise, or
// nil.
func (g *G) PendingInterrupt() any {
	if g.raised {
		return nil
	}
	return g.intr
}

func (g *G) pending() bool { return g.intr != nil && !g.raised }

// ClearInterrupt drops the pending interrupt if it is v, and reports whether
// it did (a timeout cancelled after it fired but before it was raised).
func (g *G) ClearInterrupt(v any) bool {
	if g.pending() && g.intr == v {
		g.intr = nil
		return true
	}
	return false
}

// Raise panics with the pending interrupt, after recording it so that
// recovering code can tell it apart from other panics (see Raised). It
// returns normally if no interrupt is pending.
func (g *G) Raise() {
	if !g.pending() {
		return
	}
	g.raised = true
	panic(g.intr)
}

// Raised returns the value most recently panicked by Raise on g, until a
// new interrupt arrives.
func (g *G) Raised() any {
	if !g.raised {
		return nil
	}
	return g.intr
}

// Yield puts g, the running G, at the back of the ready queue and switches
// away: every coroutine and callback that was ready runs before g resumes
// (gevent's sleep(0)). A pending interrupt is raised (panic).
func (g *G) Yield() {
	h := g.h
	me, locked := getgLocked()
	if h.cur != g || g.w == nil || me != g.w.gid {
		h.mustInCoroutine()
	}
	if !g.pending() {
		refuseLocked(locked)
		g.state = gReady
		h.ready.push(entry{g: g})
		if h.ext.watch != nil {
			h.ext.watch.out(g)
		}
		h.schedule(&g.w.ctx)
		if h.ext.watch != nil {
			h.ext.watch.in(g)
		}
	}
	g.Raise()
}

// unpark moves a parked g to the ready queue.
func (h *Hub) unpark(g *G) {
	h.parkedRemove(g)
	g.seq++
	g.state = gReady
	h.ready.push(entry{g: g})
}

func (h *Hub) parkedAdd(g *G) {
	g.pprev = h.parkedTail
	g.pnext = nil
	if h.parkedTail != nil {
		h.parkedTail.pnext = g
	} else {
		h.parkedHead = g
	}
	h.parkedTail = g
}

func (h *Hub) parkedRemove(g *G) {
	if g.pprev != nil {
		g.pprev.pnext = g.pnext
	} else {
		h.parkedHead = g.pnext
	}
	if g.pnext != nil {
		g.pnext.pprev = g.pprev
	} else {
		h.parkedTail = g.pprev
	}
	g.pprev, g.pnext = nil, nil
}

// schedule runs the next ready coroutine, or the loop when none is ready, a
// callback is next in line or the batch budget is spent. It returns when me
// runs again. Called by the running coroutine as it parks or yields.
func (h *Hub) schedule(me *ctx) {
	to := h.pickNext()
	if to != me {
		h.transfer(me, to)
	}
}

func (h *Hub) pickNext() *ctx {
	for h.budget > 0 && h.ready.len() > 0 {
		g := h.ready.front().g
		if g == nil || (g.w == nil && h.freeW == nil) {
			// A callback, or a G that needs a new goroutine: the loop
			// does those, so that a parking coroutine's stack stays
			// shallow (a parked greenlet keeps its 2 KiB stack).
			break
		}
		h.ready.pop()
		if g.state != gReady {
			continue
		}
		h.budget--
		return h.prepare(g)
	}
	if h.cur != nil {
		traceSwitch(h.cur, nil)
	}
	h.cur = nil
	return &h.loopCtx
}

// prepare makes g the current G, giving it a worker if it has none yet,
// and returns the context to switch to.
func (h *Hub) prepare(g *G) *ctx {
	w := g.w
	if w == nil {
		w = h.freeW
		if w != nil {
			h.freeW = w.nextFree
			w.nextFree = nil
			h.nfreeW--
		} else {
			w = h.newWorker()
		}
		w.g.Store(g)
		g.w = w
	}
	if h.stopping && !g.pending() {
		g.intr, g.raised = ErrStopped, false
	}
	g.state = gRunning
	traceSwitch(h.cur, g)
	h.cur = g
	return &w.ctx
}

type idleWaiter struct {
	g   *G
	seq uint32
}

// Idle parks g, the running G, until the loop has run everything that was
// ready and has nothing else to do but wait for timers or I/O (gevent's
// idle). A pending interrupt is raised.
func (h *Hub) Idle(g *G) {
	if h.cur != g || g.w == nil || getg() != g.w.gid {
		h.mustInCoroutine()
	}
	h.idlers = append(h.idlers, idleWaiter{g, g.seq})
	g.op = WaitIdle
	if g.Park(-1) == Interrupted {
		g.Raise()
	}
}
