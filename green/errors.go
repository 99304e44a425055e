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

	// ErrTimeout is returned by calls whose timeout expired, and is
	// matched (errors.Is) by every *Timeout.
	ErrTimeout = errors.New("green: timeout")

	// ErrNotGreenlet is returned by calls that only make sense inside a
	// greenlet (Timeout.Start, WithTimeout) when made from a plain
	// goroutine.
	ErrNotGreenlet = errors.New("green: not called from a greenlet")

	// ErrBadFunc is the error of a greenlet whose function could not be
	// called: not a function, or arguments that do not match (gevent raises
	// TypeError inside the greenlet the same way).
	ErrBadFunc = errors.New("green: bad function or arguments")

	// ErrJoinSelf is returned when a greenlet joins or waits for itself.
	ErrJoinSelf = errors.New("green: a greenlet cannot wait for itself")

	// ErrDeadlock is hub.ErrDeadlock: the error of a greenlet that was
	// parked with nothing left that could wake it (gevent's LoopExit).
	ErrDeadlock = hub.ErrDeadlock

	// ErrHubStopped is hub.ErrStopped: the error of a greenlet still alive
	// when its hub stopped, and of calls made on a stopped hub.
	ErrHubStopped = hub.ErrStopped
)
