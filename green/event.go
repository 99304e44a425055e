package green

import (
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// Event is a flag that greenlets can wait for (gevent's Event). Set wakes
// every waiter, in the order they started waiting; a Set followed at once
// by a Clear still wakes every greenlet that was waiting at the Set.
//
// The zero value is a cleared event, bound to a hub at first use (see
// BindHub). Set, Clear and IsSet are safe from any goroutine; IsSet is a
// single atomic load. Waiting in a greenlet of the event's hub parks it
// without allocating; a plain goroutine's wait blocks it like a Go wait. A
// plain goroutine that will Set the event later while greenlets wait for
// it should hold the hub (hub.Hub.Hold), or deadlock detection may fail
// those waits first.
//
// Cost: Set is O(waiters); Wait in a greenlet is one park.
type Event struct {
	binding
	flag    atomic.Bool
	waiters wlist[struct{}]
	links   rawLinks
}

// IsSet reports whether the flag is set. Safe from anywhere.
func (e *Event) IsSet() bool { return e.flag.Load() }

// Ready is IsSet (gevent's ready()).
func (e *Event) Ready() bool { return e.flag.Load() }

// Set sets the flag and wakes every waiter. It returns ErrHubStopped only
// when called from a plain goroutine after the event's hub has stopped.
func (e *Event) Set() error {
	g, h, local := e.where()
	if local {
		e.set()
		return nil
	}
	_, err := remote(h, g, false, func() (struct{}, error) { e.set(); return struct{}{}, nil }, nil)
	return err
}

func (e *Event) set() {
	if e.flag.Load() {
		return
	}
	e.flag.Store(true)
	for e.waiters.claim() != nil {
	}
	e.links.fire()
}

// Clear resets the flag. Greenlets that wait afterwards block until the
// next Set.
func (e *Event) Clear() error {
	g, h, local := e.where()
	if local {
		e.flag.Store(false)
		return nil
	}
	_, err := remote(h, g, false, func() (struct{}, error) { e.flag.Store(false); return struct{}{}, nil }, nil)
	return err
}

// Wait blocks until the flag is set (returning at once if it is). In a
// greenlet, a kill, a Timeout or a deadlock interrupts it (the greenlet
// unwinds); a plain goroutine gets ErrDeadlock or ErrHubStopped as the
// error instead.
func (e *Event) Wait() error {
	g, h, local := e.where()
	if local {
		e.wait(g, forever)
		return nil
	}
	_, err := remote(h, g, true, func() (bool, error) { return e.WaitTimeout(forever), nil }, nil)
	return err
}

// WaitTimeout waits at most d for the flag (d < 0: no limit, d == 0: just
// look) and reports whether it was set: true if the flag is set or was set
// while waiting, even if it was cleared again since. It returns false on
// timeout, and for plain goroutines on deadlock or a stopped hub.
func (e *Event) WaitTimeout(d time.Duration) bool {
	if e.flag.Load() {
		return true
	}
	g, h, local := e.where()
	if local {
		return e.wait(g, d)
	}
	if d == 0 {
		return false
	}
	ok, _ := remote(h, g, true, func() (bool, error) { return e.WaitTimeout(d), nil }, nil)
	return ok
}

func (e *Event) wait(g *hub.G, d time.Duration) bool {
	if e.flag.Load() {
		return true
	}
	if d == 0 {
		return false
	}
	if g == nil {
		panic(hub.ErrNotCoroutine)
	}
	n := e.waiters.enqueue(g)
	res := e.waiters.park(n, d)
	done := n.done
	e.waiters.recycle(n)
	if res == hub.Interrupted {
		g.Raise()
	}
	return done
}

func (e *Event) waitHub() *hub.Hub { return e.Hub() }

func (e *Event) waitLink(fn func()) func() {
	if e.flag.Load() {
		fn()
	}
	id := e.links.add(fn)
	return func() { e.links.remove(id) }
}
