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

	// ErrTimeout is returned by FD waits whose timeout expired.
	ErrTimeout = errors.New("hub: timeout")

	// ErrGoexit is the error of a coroutine whose body called runtime.Goexit
	// (for example t.FailNow inside a greenlet). The goroutine backing that
	// coroutine cannot be recovered and stays blocked; the hub goes on.
	ErrGoexit = errors.New("hub: runtime.Goexit called inside a coroutine (its goroutine is abandoned)")
)
