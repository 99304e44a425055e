package hub

import "errors"

// Sentinel errors of package hub. Compare with errors.Is.
var (
	// ErrUnsupported is returned by New on systems without a poller backend
	// (everything but Linux today).
	ErrUnsupported = errors.New("hub: unsupported operating system (the hub needs epoll)")

	// ErrStopped is returned by calls made on a hub that has been stopped,
	// and is the interrupt delivered to greenlets still alive when their hub
	// stops.
	ErrStopped = errors.New("hub: stopped")

	// ErrDeadlock is the interrupt delivered to a parked coroutine that
	// nothing can ever wake: no coroutine is ready, no timer is pending, no
	// file descriptor is being waited on and no Hold is outstanding. It is
	// gevent's LoopExit.
	ErrDeadlock = errors.New("hub: deadlock: this blocking call would wait forever (nothing is ready, no timer, no I/O, no Hold) (gevent's LoopExit)")

	// ErrNotStarted is the error of a plain goroutine's wait for work of a
	// hub that was never started (a Join of a greenlet spawned on it, for
	// instance): nothing would ever run there. Start the hub (Start or Run)
	// before waiting on it.
	ErrNotStarted = errors.New("hub: not started: nothing runs the greenlets of a hub before Start or Run")

	// ErrNotOnHub is the panic value of hub-only calls made from a goroutine
	// that is neither the hub's loop nor one of its coroutines.
	ErrNotOnHub = errors.New("hub: call must be made on the hub (from one of its greenlets or callbacks)")

	// ErrNotCoroutine is the panic value of parking calls made on the hub
	// outside any coroutine, for example from a timer callback: the loop
	// itself must never block (gevent's BlockingSwitchOutError).
	ErrNotCoroutine = errors.New("hub: cannot park the hub loop itself (blocking call made from a hub callback)")

	// ErrFDClosed is returned by waits on an FD that was closed (before or
	// during the wait).
	ErrFDClosed = errors.New("hub: file descriptor unregistered")

	// ErrFDBusy is returned when a second coroutine tries to wait for the
	// same readiness (read or write) of one FD while another one waits
	// (gevent's ConcurrentObjectUseError).
	ErrFDBusy = errors.New("hub: another coroutine is already waiting on this file descriptor (concurrent use)")

	// ErrLockedThread is the panic raised in a coroutine that parks or
	// yields while locked to its thread (runtime.LockOSThread): the
	// runtime cannot switch coroutines on a locked thread, which would be
	// a fatal error ending the whole process. The thread is unlocked
	// first. Code that needs a locked thread must run on a plain goroutine
	// (package threadpool, or its own).
	ErrLockedThread = errors.New("hub: runtime.LockOSThread in a coroutine: it cannot park or switch on a locked thread")

	// ErrGoexit is the error of a coroutine whose body called runtime.Goexit
	// (for example t.FailNow inside a greenlet). The goroutine backing that
	// coroutine cannot be recovered and stays blocked; the hub goes on.
	ErrGoexit = errors.New("hub: runtime.Goexit called inside a coroutine (its goroutine is abandoned)")
)

// ErrTimeout is the one timeout error of this module: every wait whose
// timeout expired returns it, or an error that matches it with errors.Is
// (see TimeoutErr; package green's *Timeout matches it too). Like the
// standard library's timeouts it satisfies net.Error with Timeout() true.
// green.ErrTimeout is the same value.
//
// The timeout convention, for every package of the module: a method XTimeout(d)
// waits at most d, and d <= 0 only checks, without waiting; the method
// without Timeout waits without limit.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string   { return "timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// TimeoutErr returns an error that says err (ErrQueueEmpty, ErrPoolFull,
// ...) and matches both err and ErrTimeout with errors.Is: what a timed
// wait returns when its timeout expired, so that callers can test for the
// specific outcome or for "a timeout" alike. It satisfies net.Error with
// Timeout() true.
func TimeoutErr(err error) error { return &timedOut{err} }

type timedOut struct{ err error }

func (e *timedOut) Error() string   { return e.err.Error() + " (timeout)" }
func (e *timedOut) Unwrap() []error { return []error{e.err, ErrTimeout} }
func (e *timedOut) Timeout() bool   { return true }
func (e *timedOut) Temporary() bool { return true }
