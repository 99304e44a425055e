package green

import (
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// Event is a flag that greenlets and goroutines can wait for (gevent's
// Event). Set wakes every waiter, in the order they started waiting; a Set
// followed at once by a Clear still wakes every waiter that was waiting at
// the Set.
//
// The zero value is a cleared event, bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine (see the package
// documentation); IsSet is a single atomic load. Waiting in a greenlet of
// the event's hub parks it without allocating.
//
// Cost: Set is O(waiters); Wait in a greenlet is one park.
type Event struct {
	binding
	flag atomic.Bool
	// waiters holds blocked waiters and, as callback nodes, the links of
	// Wait and IWait, in the order they arrived.
	waiters hub.WaitList[none]
	// notifying is set (on the hub) while the waiters a Set woke have not
	// all run yet: a greenlet that waits meanwhile goes after them
	// (gevent issue 1520).
	notifying bool
	links     *objLinks // RawLink callbacks (objlink.go), nil until the first
}

// IsSet reports whether the flag is set. Safe from anywhere.
func (e *Event) IsSet() bool { return e.flag.Load() }

// Ready is IsSet (gevent's ready()).
func (e *Event) Ready() bool { return e.flag.Load() }

// Set sets the flag and wakes every waiter. It returns ErrHubStopped only
// after the event's hub has stopped.
func (e *Event) Set() error {
	_, h, local := e.where()
	if local {
		e.set()
		return nil
	}
	return giveTo(h, func() error { e.set(); return nil })
}

func (e *Event) set() {
	if e.flag.Load() {
		return
	}
	e.flag.Store(true)
	if e.waiters.Empty() {
		return
	}
	e.waiters.Fire(none{})
	if !e.notifying {
		// Queued behind the wake-ups: it runs once they all have.
		e.notifying = true
		e.Hub().Callback(doneNotifying, e)
	}
}

func doneNotifying(arg any) { arg.(*Event).notifying = false }

// Clear resets the flag. Greenlets that wait afterwards block until the
// next Set.
func (e *Event) Clear() error {
	_, h, local := e.where()
	if local {
		e.flag.Store(false)
		return nil
	}
	return giveTo(h, func() error { e.flag.Store(false); return nil })
}

// Wait blocks until the flag is set (returning at once if it is, but
// after the waiters a Set is still waking: gevent issue 1520). In a
// greenlet, a kill, a Timeout or a deadlock interrupts it (the greenlet
// unwinds); a plain goroutine gets ErrHubStopped if the hub stops.
func (e *Event) Wait() error {
	_, err := e.wait(forever)
	return err
}

// WaitTimeout waits at most d for the flag (d <= 0: only look) and reports
// whether it was set: true if the flag is set or was set while waiting,
// even if it was cleared again since.
func (e *Event) WaitTimeout(d time.Duration) bool {
	ok, _ := e.wait(timeoutArg(d))
	return ok
}

func (e *Event) wait(d time.Duration) (bool, error) {
	if e.flag.Load() {
		if g, _, local := e.where(); local && g != nil && e.notifying && d != 0 {
			// Set is still waking earlier waiters: return after them.
			g.Yield()
		}
		return true, nil
	}
	g, h, local := e.where()
	_, err := await[none](e, &e.waiters, g, h, local, 0, none{}, d)
	switch err {
	case nil:
		return true, nil
	case errNoWait, errExpired:
		return false, nil
	}
	return false, err
}

func (e *Event) tryOp(uint8, none) (none, error, bool) { return none{}, nil, e.flag.Load() }

func (e *Event) waitList(uint8) *hub.WaitList[none] { return &e.waiters }

func (e *Event) giveBack(uint8, none) {}

func (e *Event) waitHub() *hub.Hub { return e.Hub() }

func (e *Event) linkReady(fn func()) func() { return linkTo(&e.waiters, e.flag.Load(), fn) }
