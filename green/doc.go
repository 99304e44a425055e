// Package green brings gevent's programming model to Go: greenlets that
// run one at a time on a hub and switch only where they would block.
//
//	g1 := green.Spawn(eat, "egon")
//	g2 := green.Spawn(play, "alex")
//	green.JoinAll(g1, g2) // eat sleeps 3s, play 5s: done in about 5s
//
// Only one greenlet of a hub runs at a time, and it runs until it parks
// (Sleep, Yield, a Join, a wait on a primitive, network I/O through package
// netwrap). State touched only by the greenlets of one hub therefore needs
// no locks. Switching between greenlets is a runtime coroutine switch
// (about 100 ns), and a parked greenlet costs about 3 KiB.
//
// # Greenlets and plain goroutines
//
// Every exported function and method is safe from any goroutine, and does
// what a Go programmer would expect where it is called from:
//
//   - In a greenlet, waiting calls (Sleep, Join, Get, Kill, JoinAll,
//     Timeout waits) park the greenlet and let the hub run others.
//   - In a plain goroutine, Spawn starts greenlets on the default hub (see
//     hub.Default); Join, Get, Kill and JoinAll block the goroutine like an
//     ordinary Go wait; Sleep is time.Sleep and Yield is runtime.Gosched.
//     Timeout.Start and WithTimeout return ErrNotGreenlet: a plain
//     goroutine cannot be interrupted at a park point.
//   - In a hub callback (hub.Hub.AfterFunc, Post), which runs in the loop
//     itself, waiting calls panic with hub.ErrNotCoroutine: the loop must
//     never block (gevent's BlockingSwitchOutError).
//
// Never block a greenlet on a Go channel, a sync.Mutex or time.Sleep: that
// stalls every greenlet of its hub. Use this package's primitives instead.
//
// # Kills, timeouts and panics
//
// Kill and Timeout are delivered as panics at the greenlet's current or
// next park point, so the greenlet unwinds through its deferred calls
// whether or not it checks errors, as gevent raises GreenletExit or Timeout
// at the switch. A greenlet killed with the default ErrGreenletExit counts
// as successful. What a recover() sees in a killed greenlet is a
// *KillError, which errors.Is matches against the kill's error; a recover
// helper of your own should call Repanic first, so that kills and timeouts
// go on unwinding (IsInterrupt tells them apart). A greenlet that was
// spawned but has not run yet is finished by a kill at once, without
// running (gevent issue 330). A panic in a greenlet is captured with its
// stack and returned by Join and Get as a PanicError; it is reported to
// the hub's error handler (the stack as lines) unless somebody was waiting
// for the greenlet (Join, Get, JoinAll), who gets it instead.
//
// # Main greenlet, typed results, contexts
//
// Main runs a program's body as a greenlet of the default hub (the main
// greenlet of a gevent program), so that it shares the hub with the
// greenlets it spawns and can use WithTimeout; JoinHub waits until the
// hub has nothing left to do: no other greenlet, timer, watcher, callback
// or Hold (gevent's wait() with no objects).
// Go spawns a func() (T, error) and returns a *Task[T] whose Get returns a
// T, without reflection or boxing. Every greenlet has a context.Context
// (Context, Greenlet.Context), created on first use, cancelled when it is
// killed or dies; SpawnContext kills a greenlet when a context ends; the
// waiting calls Go users pass contexts to have an XContext form
// (AcquireContext, GetContext, PutContext, WaitContext, JoinContext),
// which gives up with ctx.Err() having consumed nothing.
//
// Package greenlet, the layer below, gives raw greenlets that switch to
// each other explicitly (Python's greenlet), on the same coroutine switch.
//
// # Deadlocks
//
// When a plain goroutine waits for greenlets (Join, JoinAll) and nothing
// can ever wake the parked ones (no ready greenlet, no timer, no I/O, no
// hub.Hold), the one that waited longest fails with ErrDeadlock (gevent's
// LoopExit) instead of hanging forever.
//
// # Coordination primitives
//
// Event, AsyncResult, Queue, LifoQueue, PriorityQueue, Channel,
// Semaphore, BoundedSemaphore, Lock, RLock, Local and Wait/IWait are
// gevent's event, queue, lock and local modules. Each object (but Local)
// is bound to one hub: the hub of the first greenlet that uses it,
// hub.Default() if a plain goroutine uses it first, or the one given to
// BindHub. All its state is owned by that hub. Where each call may be made:
//
//   - Greenlets of the object's hub use it directly: no locks, no
//     allocation in the steady state; a wait parks the greenlet, and a
//     kill, a Timeout or ErrDeadlock interrupts it (the greenlet unwinds)
//     without consuming anything (a getter that times out takes no item).
//   - Plain goroutines may make every call except Lock and RLock ones
//     (ErrNotGreenlet). Calls that do not wait (Set, Put on a queue with
//     room, PutNowait, Release, Len) run on the hub through hub.Hub.Call;
//     calls that wait block the goroutine like a Go wait, through a proxy
//     greenlet on the hub, and return ErrDeadlock if the hub finds that
//     nothing can ever wake it, or ErrHubStopped. A plain goroutine that
//     will set, put or release later while greenlets wait should hold the
//     hub (hub.Hub.Hold) meanwhile, or deadlock detection may fail them
//     first.
//   - Greenlets of another hub make every call (but Lock and RLock ones:
//     ErrWrongHub) through a proxy greenlet on the owner hub and park
//     until it is done; if they are interrupted meanwhile, what the proxy
//     took (an item, a permit) is given back.
//   - Hub callbacks may make the calls that do not wait; calls that would
//     wait panic with hub.ErrNotCoroutine.
//
// # When the hub blocks, and what every greenlet is doing
//
// A greenlet that holds its hub too long (100 ms by default) is reported
// by the hub's blocking monitor, with its name, id, spawn site and current
// stack (see hub.BlockingError and hub.Config.MaxBlockingTime).
// PrintRunInfo and FormatRunInfo (gevent's print_run_info and
// format_run_info) list every hub's greenlets as a tree by spawning
// greenlet (gevent's GreenletTree), with what each is parked on (a sleep,
// a queue, an event, a lock, a socket read with its addresses, a join, an
// offloaded call) and for how long; RunInfoHandler serves it on a debug
// mux and NotifyRunInfo writes it on a signal. SetTracer installs
// callbacks on spawn, switch, park and death (gevent.events,
// greenlet.settrace). AssertSwitches (gevent's assert_switches) tells a
// test whether code shared its hub. Named greenlets carry the profile
// label "greenlet" (SetProfileLabels). Spawn sites and spawning greenlets
// are recorded at a few nanoseconds per spawn (TrackGreenletTree).
//
// Do not call runtime.Goexit (t.FailNow, log.Fatal's cousins) or
// runtime.LockOSThread inside a greenlet: Goexit fails the greenlet with
// hub.ErrGoexit and abandons its goroutine; LockOSThread breaks the
// runtime's coroutine switch.
package green
