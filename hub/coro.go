package hub

import (
	"iter"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
)

// Switching.
//
// The runtime's coroutine primitive (the one under iter.Pull) is a slot
// that always holds one blocked goroutine: switching through a slot blocks
// the caller in it and runs the goroutine that was there. iter.Pull wraps
// each slot in two closures, next and yield, that must be called
// alternately, and uses it as a private channel between a driver and one
// coroutine, so a switch between two coroutines via a driver costs two
// runtime switches.
//
// The hub lets slots move instead. When context A switches to context B
// through the slot B is blocked in, A becomes that slot's occupant. Any
// context can therefore switch directly to any other in one runtime switch.
// Which closure to call is only a matter of parity: the switches through a
// slot alternate next, yield, next, ..., whoever makes them. iter.Pull's own
// race-detector annotations order the two sides of every switch.

// slot is one iter.Pull coroutine slot and the context blocked in it.
type slot struct {
	next      func() (struct{}, bool)
	yield     func(struct{}) bool
	occ       *ctx
	yieldNext bool // the next switch through this slot calls yield
	exitReq   bool // (home slots) the worker owning the slot must exit
	labelled  bool // (home slots) the worker's G set profile labels of its own
}

// ctx is a goroutine that takes turns running on the hub: the loop
// goroutine, or a worker.
type ctx struct {
	gid  uintptr
	slot *slot // the slot this context is blocked in; nil while it runs
}

// hopReq asks a blocked context, when resumed, to pass control on at once
// to another context without running anything. It is how a worker that
// must exit gets the loop into its own home slot (see worker.exit).
type hopReq struct {
	who *ctx
	to  *ctx
}

// transfer blocks me and runs to. Exactly one context of a hub runs at a
// time; every other one is blocked in exactly one slot, inside transfer.
func (h *Hub) transfer(me, to *ctx) {
	for {
		s := to.slot
		to.slot = nil
		me.slot = s
		s.occ = me
		storeRunning(h, to.gid)
		if s.yieldNext {
			s.yieldNext = false
			s.yield(struct{}{})
		} else {
			s.yieldNext = true
			s.next()
		}
		// Whoever resumed us already moved into our slot and set
		// the running word to us.
		if h.hop.who != me {
			return
		}
		to = h.hop.to
		h.hop = hopReq{}
	}
}

// worker is a pooled coroutine: a goroutine that runs the G's of one hub one
// after another, so that spawning a G does not create a goroutine.
type worker struct {
	ctx
	home     slot              // the slot created with this goroutine: its exit path
	g        atomic.Pointer[G] // the G it runs; atomic for the blocking monitor
	nextFree *worker
	inBody   bool // running a G's body (see run and unwound)

	wprev, wnext *worker // the hub's list of workers (hubext.go)
}

func (h *Hub) newWorker() *worker {
	w := &worker{}
	w.home.occ = &w.ctx
	// The worker's body, a closure rather than a method value, whose
	// wrapper would add a frame under every coroutine's stack (issue 13:
	// a parked plain handler should fit the runtime's 2 KiB starting
	// stack).
	w.home.next, _ = iter.Pull(func(yield func(struct{}) bool) {
		h := w.g.Load().h // a worker starts with its first G
		w.home.yield = yield
		w.gid = getg()
		storeRunning(h, w.gid)
		h.addWorker(w)
		pprof.SetGoroutineLabels(h.ext.labels)
		for !w.home.exitReq {
			w.run(w.g.Load())
			h.finish(w)
			// The next G may run on this same goroutine without a transfer:
			// the monitor must see the change all the same.
			storeRunning(h, w.gid)
		}
		h.removeWorker(w)
		w.exit(h)
	})
	w.ctx.slot = &w.home
	return w
}

func (w *worker) run(g *G) {
	// One deferred call with one argument and no closure: run's frame is
	// under every parked coroutine's stack (issue 13).
	w.inBody = true
	defer w.unwound()
	g.r.Run(g)
	w.inBody = false
	w.ended(g)
}

// unwound ends the G that w ran when its body panicked or called
// runtime.Goexit (run's deferred call).
func (w *worker) unwound() {
	if !w.inBody {
		return
	}
	w.inBody = false
	g := w.g.Load()
	err := ErrGoexit
	r := recover()
	if r != nil {
		err = panicError(r)
	}
	g.state = gDead
	abort(g, err)
	h := g.h
	traceDeath(g)
	h.live--
	g.w = nil
	w.g.Store(nil)
	if r == nil {
		// runtime.Goexit is unwinding this goroutine. Letting it
		// end would make iter.Pull re-raise the Goexit in whichever
		// context resumes, so block it forever instead: the
		// goroutine is abandoned, the hub goes on.
		h.cur = nil
		h.transfer(&w.ctx, &h.loopCtx)
	}
	w.home.exitReq = true // the worker's state is suspect after a panic
}

// ended finishes the G that w ran, once Run returned. It is a function of
// its own, not inlined, so that run's frame, which the stack of every
// parked coroutine holds, stays small: the runtime starts new goroutines
// with stacks of the size the collector last saw them use (adaptive
// starting stacks), and a parked greenlet's stack sits just under 2 KiB.
//
//go:noinline
func (w *worker) ended(g *G) {
	if w.home.labelled {
		w.home.labelled = false
		pprof.SetGoroutineLabels(g.h.ext.labels)
	}
	if lockedOSThread() {
		// Returned still locked: unlock, so that the worker can run the
		// next coroutine, and say so.
		for lockedOSThread() {
			runtime.UnlockOSThread()
		}
		g.h.ReportError(ErrLockedThread)
	}
	g.state = gDead
	h := g.h
	traceDeath(g)
	h.live--
	g.w, g.what = nil, nil
	w.g.Store(nil)
}

// finish releases the worker of a G that has returned and runs the next
// ready context.
func (h *Hub) finish(w *worker) {
	if w.home.exitReq || h.nfreeW >= h.cfg.MaxIdleWorkers || h.stopping {
		w.home.exitReq = true
		return
	}
	w.nextFree = h.freeW
	h.freeW = w
	h.nfreeW++
	h.schedule(&w.ctx)
}

// exit prepares the running worker's goroutine to end: when it returns, the
// runtime switches to the occupant of its home slot, which must be the
// loop. If another context is there, that context is asked to hop to the
// loop's slot, the loop is asked to come back here, and the worker returns
// once the loop sits in its home slot.
func (w *worker) exit(h *Hub) {
	if occ := w.home.occ; occ != &h.loopCtx {
		h.hop = hopReq{who: occ, to: &h.loopCtx}
		h.exiting = w
		h.transfer(&w.ctx, occ)
		// The loop switched back to us through our home slot.
	}
	h.cur = nil
	h.loopCtx.slot = nil
	w.home.occ = nil
	storeRunning(h, h.loopCtx.gid)
	// Returning ends the goroutine; the runtime resumes the loop, which
	// is blocked in w.home, and closes that slot.
}

// abort tells g's Runner that its body ended abnormally. A panic in Abort
// itself is reported rather than allowed to kill the process.
func abort(g *G, err error) {
	defer func() {
		if r := recover(); r != nil {
			g.h.ReportError(panicError(r))
		}
	}()
	g.r.Abort(g, err)
}
