package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// Lock is a mutual-exclusion lock owned by the greenlet that acquired it
// (gevent's Lock, with ownership checked): only that greenlet may release
// it, others get ErrNotOwner. Release hands the lock straight to the
// longest-waiting greenlet, so waiters are served in FIFO order and a
// newcomer never overtakes them; a waiter cancelled by a timeout or a kill
// does not take the lock. A greenlet that acquires a Lock it already holds
// waits forever (or until its timeout, a kill, or the deadlock detection):
// use RLock for reentrancy. A greenlet that dies holding a Lock does not
// release it.
//
// The zero value is unlocked and bound to a hub at first use (see
// BindHub). Only greenlets of that hub can acquire and release it: a plain
// goroutine or a hub callback gets ErrNotGreenlet, a greenlet of another
// hub ErrWrongHub (use a Semaphore across hubs). Locked is safe from
// anywhere. An uncontended Acquire/Release pair costs a few nanoseconds
// and does not allocate; a contended Acquire is one park.
//
// Timeouts: d < 0 waits without limit, d == 0 does not wait, d > 0 waits
// at most d.
type Lock struct {
	binding
	owner   *hub.G
	depth   int // RLock only
	waiters wlist[struct{}]
	links   rawLinks
}

// caller returns the caller's G if it may use the lock: a greenlet of
// the lock's hub (binding the lock to its hub if it is unbound).
func (l *Lock) caller() (*hub.G, error) {
	if g, _ := hub.Current(); g == nil {
		return nil, ErrNotGreenlet
	}
	g, _, local := l.where()
	if !local {
		return nil, ErrWrongHub
	}
	return g, nil
}

// Acquire takes the lock, waiting while another greenlet holds it. A
// kill, a Timeout or a deadlock interrupts the wait (the greenlet
// unwinds).
func (l *Lock) Acquire() error { return l.AcquireTimeout(forever) }

// TryAcquire takes the lock if it is free, without waiting.
func (l *Lock) TryAcquire() bool { return l.AcquireTimeout(0) == nil }

// AcquireTimeout is Acquire waiting at most d; it fails with ErrTimeout.
func (l *Lock) AcquireTimeout(d time.Duration) error {
	g, err := l.caller()
	if err != nil {
		return err
	}
	return l.acquire(g, d, false)
}

func (l *Lock) acquire(g *hub.G, d time.Duration, reentrant bool) error {
	if l.owner == nil {
		l.owner, l.depth = g, 1
		return nil
	}
	if reentrant && l.owner == g {
		l.depth++
		return nil
	}
	if d == 0 {
		return ErrTimeout
	}
	n := l.waiters.enqueue(g)
	res := l.waiters.park(n, d)
	done := n.done
	l.waiters.recycle(n)
	if res == hub.Interrupted {
		if done {
			l.handOff() // it was handed to us: pass it on
		}
		g.Raise()
	}
	if done {
		return nil // handOff made us the owner
	}
	return ErrTimeout
}

// handOff gives the lock to the longest-waiting greenlet, or frees it.
func (l *Lock) handOff() {
	if n := l.waiters.claim(); n != nil {
		l.owner, l.depth = n.g, 1
		return
	}
	l.owner, l.depth = nil, 0
	l.links.fire()
}

// Release releases the lock. It fails with ErrNotOwner if the calling
// greenlet does not hold it.
func (l *Lock) Release() error {
	g, err := l.caller()
	if err != nil {
		return err
	}
	if l.owner != g {
		return ErrNotOwner
	}
	l.handOff()
	return nil
}

// Locked reports whether some greenlet holds the lock.
func (l *Lock) Locked() bool {
	locked := false
	g, h, local := l.where()
	if local {
		return l.owner != nil
	}
	remote(h, g, false, func() (none, error) { locked = l.owner != nil; return none{}, nil }, nil)
	return locked
}

func (l *Lock) waitHub() *hub.Hub { return l.Hub() }

func (l *Lock) waitLink(fn func()) func() {
	if l.owner == nil {
		fn()
	}
	id := l.links.add(fn)
	return func() { l.links.remove(id) }
}
