// Package hub is the event loop under package green: gevent's Hub for Go.
//
// A Hub owns one goroutine that runs a loop over a FIFO ready queue, a 4-ary
// timer heap and an epoll instance (Linux; elsewhere New returns
// ErrUnsupported). Coroutines (G) are goroutines driven through iter.Pull, so
// switching between them is a runtime coroutine switch (tens of
// nanoseconds), not a trip through the Go scheduler. Only one coroutine of a
// hub runs at a time, and it runs until it parks: that is what makes state
// shared by the greenlets of one hub safe without locks.
//
// # Who may call what
//
// Most methods are hub-only: they must be called on the hub, that is from
// one of its coroutines or from a callback running in its loop. They panic
// with ErrNotOnHub elsewhere. Parking calls (G.Park, G.Yield, FD.WaitRead)
// additionally need a coroutine and panic with ErrNotCoroutine in a loop
// callback, which must never block. Post, Call, Hold, Stop, Start, Run,
// OnHub, SetErrorHandler and ReportError are safe from any goroutine: they
// are how plain goroutines hand work to a hub.
//
// Timers: StartTimer/StopTimer arm a Timer the caller owns (no
// allocation), AfterFunc allocates one, Repeat makes a RepeatTimer that
// fires every period until stopped (libev's repeat). A G that has been
// started but has not run yet can be taken back with CancelStart (what a
// kill of such a greenlet does). Idle parks a coroutine until nothing is
// ready; WaitEmpty parks it until the hub has nothing left to do at all
// (no other coroutine, timer, FD wait, callback, post or Hold: gevent's
// hub.join()).
//
// # Readiness state
//
// An FD remembers, per direction, whether an edge arrived that no wait has
// consumed (and, sticky, whether a hang-up or error was reported). Callers
// that learn more from a system call say so (FD.SetReadReady): a stream
// read that returned less than asked, or EAGAIN, proves the descriptor
// drained, so the next read can park until the next edge without trying
// (FD.ReadReady), which is how netwrap reads without an EAGAIN per
// message. Current (which every netwrap call and primitive makes) is O(1)
// for the goroutines of a hub: a small direct-mapped cache keyed by the
// goroutine, checked against the hub's running word.
//
// # Parking protocol
//
// A coroutine that waits records (g, g.Seq()) wherever its waker will find
// it and calls g.Park(timeout). A waker calls g.Wake(seq): a wake-up for an
// earlier park is ignored, so waiter lists may be cleaned lazily. Kill and
// timeouts are interrupts: g.Interrupt(v) makes the current or next Park
// return Interrupted, the parking code undoes its registrations and calls
// g.Raise, which panics with v so that the coroutine unwinds through its
// deferred calls wherever it is.
//
// # Deadlock detection
//
// When nothing is ready, no timer is pending, no descriptor is being waited
// on and no Hold is outstanding, no parked coroutine can ever be woken. If
// somebody is waiting on the hub (a plain goroutine inside Waiting, such as
// a Join from outside, or the caller of Run), the loop then interrupts the
// coroutine that has waited longest with ErrDeadlock (gevent's LoopExit);
// its death may wake the others, and if not the next turn interrupts the
// next one. Plain goroutines that will wake a coroutine later (set an event,
// put into a queue) must take a Hold first, or a concurrent waiter may see a
// deadlock that their wake-up would have resolved.
//
// # Blocking monitor
//
// Every hub is watched by the blocking monitor (gevent's monitor thread):
// when one coroutine, or the loop running callbacks, holds the hub for
// Config.MaxBlockingTime (100 ms by default, GREEN_MAX_BLOCKING_TIME in the
// environment, SetMaxBlockingTime at run time) without switching, the hub's
// error handler receives a *BlockingError naming the coroutine, where it
// was created and its current stack (time.Sleep, a channel receive, a
// sync.Mutex, a CPU loop...), and another one when the stall ends. The
// stack is read directly from the goroutine's saved frame pointers, not
// from a dump of every goroutine (see gstack_fp.go), so it stays cheap
// with a million parked greenlets. The hub's side of it is one tick in the
// running word it stores at every switch anyway (running.go) and a bit
// around each wait in epoll; see monitor.go.
//
// # Introspection and tracing
//
// Coroutines carry an id, a name, their creation site and creator
// (SetOrigin), and what they are parked on (SetWaitingOn: two stores on
// the park path, formatted only when asked), which package green's
// run-info prints; Coroutines lists them, G.StackOf reads their stacks.
// SetTracer installs callbacks on start, switch, park and death (a nil
// check per event when none is installed); G.WatchSwitches measures how a
// coroutine shares its hub (green.AssertSwitches). Worker goroutines carry
// the profile label "hub" (ProfileLabels), coroutines may add their own
// (SetProfileLabels).
package hub
