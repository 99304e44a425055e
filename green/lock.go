package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// Lock is a mutual-exclusion lock (gevent's Lock, a semaphore of one):
// Acquire takes it, waiting while it is held, and Release frees it,
// handing it straight to the longest-waiting acquirer, so waiters are
// served in FIFO order and a newcomer never overtakes them; a waiter
// cancelled by a timeout or a kill does not take the lock. Like gevent's
// Lock and Go's sync.Mutex it has no owner: any greenlet or goroutine may
// release it (releasing an unlocked Lock fails with ErrNotOwner). A
// greenlet that acquires a Lock it already holds waits for itself: use
// RLock for reentrancy.
//
// The zero value is unlocked and bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine and any hub (see the
// package documentation). An uncontended Acquire/Release pair by a
// greenlet of the lock's hub costs a few nanoseconds and does not
// allocate; a contended Acquire is one park.
type Lock struct {
	binding
	locked bool
	// owner is the party that holds an RLock (hub.Self); depth its count.
	owner uintptr
	depth int
	// waiters holds blocked acquirers (Val: their identity, for RLock)
	// and, as callback nodes, the links of Wait and IWait.
	waiters hub.WaitList[uintptr]
}

// Acquire takes the lock, waiting while it is held. A kill, a Timeout or
// a deadlock interrupts the wait of a greenlet (it unwinds).
func (l *Lock) Acquire() error { return l.acquire(forever, 0) }

// TryAcquire takes the lock if it is free, without waiting.
func (l *Lock) TryAcquire() bool { return l.acquire(0, 0) == nil }

// AcquireTimeout is Acquire waiting at most d (d <= 0: only try); it fails
// with ErrTimeout.
func (l *Lock) AcquireTimeout(d time.Duration) error { return l.acquire(timeoutArg(d), 0) }

// acquire takes the lock for self (0: a plain Lock, no owner).
func (l *Lock) acquire(d time.Duration, self uintptr) error {
	g, h, local := l.where()
	if local && g != nil && !l.locked { // fast path
		l.locked, l.owner, l.depth = true, self, 1
		return nil
	}
	_, err := await[uintptr](l, &l.waiters, g, h, local, 0, self, d)
	switch err {
	case errNoWait, errExpired:
		return ErrTimeout
	}
	return err
}

func (l *Lock) tryOp(_ uint8, self uintptr) (uintptr, error, bool) {
	switch {
	case !l.locked:
		l.locked, l.owner, l.depth = true, self, 1
		return self, nil, true
	case self != 0 && l.owner == self:
		l.depth++
		return self, nil, true
	}
	return 0, nil, false
}

func (l *Lock) waitList(uint8) *hub.WaitList[uintptr] { return &l.waiters }

// giveBack passes on a lock handed to a waiter that was interrupted.
func (l *Lock) giveBack(uint8, uintptr) { l.handOff() }

// handOff gives the lock to the longest-waiting acquirer, or frees it.
func (l *Lock) handOff() {
	if n := l.waiters.Claim(); n != nil {
		l.owner, l.depth = n.Val, 1
		n.Wake()
		return
	}
	l.locked, l.owner, l.depth = false, 0, 0
	l.waiters.Fire(0) // only links are left
}

// Release frees the lock. It fails with ErrNotOwner if it is not locked.
func (l *Lock) Release() error { return l.release(0) }

// release releases one level for self (0: a plain Lock).
func (l *Lock) release(self uintptr) error {
	_, h, local := l.where()
	if local {
		return l.releaseOnHub(self)
	}
	return giveTo(h, func() error { return l.releaseOnHub(self) })
}

func (l *Lock) releaseOnHub(self uintptr) error {
	if !l.locked || l.owner != self {
		return ErrNotOwner
	}
	if l.depth--; l.depth == 0 {
		l.handOff()
	}
	return nil
}

// Locked reports whether the lock is held.
func (l *Lock) Locked() bool {
	_, h, local := l.where()
	if local {
		return l.locked
	}
	locked := false
	ask(h, func() error { locked = l.locked; return nil })
	return locked
}

func (l *Lock) waitHub() *hub.Hub { return l.Hub() }

func (l *Lock) linkReady(fn func()) func() { return linkTo(&l.waiters, !l.locked, fn) }
