package green

import (
	"errors"

	"github.com/greenrt/green/hub"
)

// Sentinel errors of package green. Compare with errors.Is.
var (
	// ErrGreenletExit is the default kill: a greenlet killed with it counts
	// as successful (gevent's GreenletExit).
	ErrGreenletExit = errors.New("green: greenlet killed (GreenletExit)")

	// ErrTimeout is hub.ErrTimeout, the module's one timeout error: calls
	// whose timeout expired return it or an error matching it (an expired
	// queue Get returns ErrQueueEmpty wrapped so that it matches both), and
	// every *Timeout matches it. It satisfies net.Error with Timeout() true.
	ErrTimeout = hub.ErrTimeout

	// ErrNotGreenlet is returned by calls that only make sense inside a
	// greenlet (Timeout.Start, WithTimeout) when made from a plain
	// goroutine.
	ErrNotGreenlet = errors.New("green: not called from a greenlet")

	// ErrBadFunc is the error of a greenlet whose function could not be
	// called: not a function, or arguments that do not match (gevent raises
	// TypeError inside the greenlet the same way).
	ErrBadFunc = errors.New("green: bad function or arguments")

	// ErrNilGreenlet is returned by the methods of a nil *Greenlet that
	// return errors (Join, Get, Kill, Err...); the others do nothing or
	// report false.
	ErrNilGreenlet = errors.New("green: nil greenlet")

	// ErrJoinSelf is returned when a greenlet joins or waits for itself.
	ErrJoinSelf = errors.New("green: a greenlet cannot wait for itself")

	// ErrDeadlock is hub.ErrDeadlock: the error of a greenlet that was
	// parked with nothing left that could wake it (gevent's LoopExit).
	ErrDeadlock = hub.ErrDeadlock

	// ErrQueueEmpty is returned by a get or peek on an empty queue that
	// was not allowed to wait, or whose timeout expired (gevent's Empty).
	ErrQueueEmpty = errors.New("green: queue empty")

	// ErrQueueFull is returned by a put on a full queue (or a Channel
	// without a waiting getter) that was not allowed to wait, or whose
	// timeout expired (gevent's Full).
	ErrQueueFull = errors.New("green: queue full")

	// ErrQueueShutDown is returned by puts on a queue that was shut down,
	// by gets once it is also empty, and by every put and get that was
	// blocked when Shutdown was called (Python's queue.ShutDown).
	ErrQueueShutDown = errors.New("green: queue shut down")

	// ErrTaskDone is returned by TaskDone called more times than items
	// were put (gevent raises ValueError).
	ErrTaskDone = errors.New("green: TaskDone called more times than there were items")

	// ErrNotOwner is returned when a Lock or RLock is released by a
	// greenlet that does not hold it (or when it is not held at all).
	ErrNotOwner = errors.New("green: lock released by a greenlet that does not own it")

	// ErrOverRelease is returned when a BoundedSemaphore is released more
	// times than it was acquired (gevent raises ValueError).
	ErrOverRelease = errors.New("green: semaphore released too many times")

	// ErrWrongHub is returned when an object bound to one hub is bound to
	// another (BindHub), or used by a greenlet of another hub in a way
	// that needs ownership (Lock, RLock).
	ErrWrongHub = errors.New("green: object belongs to another hub")

	// ErrNegativeCount is the panic value of NewSemaphore and
	// NewBoundedSemaphore given a negative count (gevent raises
	// ValueError).
	ErrNegativeCount = errors.New("green: negative semaphore count")

	// ErrNotStarted is hub.ErrNotStarted: the error of a plain goroutine's
	// Join of a greenlet whose hub was never started.
	ErrNotStarted = hub.ErrNotStarted

	// ErrHubStopped is hub.ErrStopped: the error of a greenlet still alive
	// when its hub stopped, and of calls made on a stopped hub.
	ErrHubStopped = hub.ErrStopped
)
