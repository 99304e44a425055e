package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// RLock is a reentrant Lock (gevent's RLock): the greenlet that holds it
// may acquire it again, and it is released when every Acquire has been
// matched by a Release. Release by a greenlet that does not hold it fails
// with ErrNotOwner. Waiters are served in FIFO order. The zero value is
// unlocked; the rules for callers and costs are those of Lock.
type RLock struct {
	l Lock
}

// BindHub binds the lock to h before first use (see Event.BindHub).
func (r *RLock) BindHub(h *hub.Hub) error { return r.l.BindHub(h) }

// Acquire takes the lock, or one more level of it if the caller holds it.
func (r *RLock) Acquire() error { return r.AcquireTimeout(forever) }

// TryAcquire is Acquire without waiting.
func (r *RLock) TryAcquire() bool { return r.AcquireTimeout(0) == nil }

// AcquireTimeout is Acquire waiting at most d; it fails with ErrTimeout.
func (r *RLock) AcquireTimeout(d time.Duration) error {
	g, err := r.l.caller()
	if err != nil {
		return err
	}
	return r.l.acquire(g, d, true)
}

// Release releases one level; the lock is free when the count drops to
// zero. It fails with ErrNotOwner if the caller does not hold it.
func (r *RLock) Release() error {
	g, err := r.l.caller()
	if err != nil {
		return err
	}
	if r.l.owner != g {
		return ErrNotOwner
	}
	if r.l.depth--; r.l.depth == 0 {
		r.l.handOff()
	}
	return nil
}

// Locked reports whether some greenlet holds the lock.
func (r *RLock) Locked() bool { return r.l.Locked() }

// Count returns how many times the calling greenlet holds the lock (0 if
// it does not, or if the caller is not a greenlet of the lock's hub).
func (r *RLock) Count() int {
	g, err := r.l.caller()
	if err != nil || r.l.owner != g {
		return 0
	}
	return r.l.depth
}

func (r *RLock) waitHub() *hub.Hub         { return r.l.Hub() }
func (r *RLock) waitLink(fn func()) func() { return r.l.waitLink(fn) }
