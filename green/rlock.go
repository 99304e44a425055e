package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// RLock is a reentrant lock owned by the party that acquired it (gevent's
// RLock): the greenlet (or plain goroutine) that holds it may acquire it
// again, and it is released when every Acquire has been matched by a
// Release. Release by another party fails with ErrNotOwner. Waiters are
// served in FIFO order. The zero value is unlocked; where it may be used
// and what it costs are as for Lock.
type RLock struct {
	l Lock
}

// BindHub binds the lock to h before first use (see Event.BindHub).
func (r *RLock) BindHub(h *hub.Hub) error { return r.l.BindHub(h) }

// Acquire takes the lock, or one more level of it if the caller holds it.
func (r *RLock) Acquire() error { return r.l.acquire(forever, hub.Self()) }

// TryAcquire is Acquire without waiting.
func (r *RLock) TryAcquire() bool { return r.l.acquire(0, hub.Self()) == nil }

// AcquireTimeout is Acquire waiting at most d (d <= 0: only try); it fails
// with ErrTimeout.
func (r *RLock) AcquireTimeout(d time.Duration) error {
	return r.l.acquire(timeoutArg(d), hub.Self())
}

// Release releases one level; the lock is free when the count drops to
// zero. It fails with ErrNotOwner if the caller does not hold it.
func (r *RLock) Release() error { return r.l.release(hub.Self()) }

// Locked reports whether some party holds the lock.
func (r *RLock) Locked() bool { return r.l.Locked() }

// Count returns how many times the caller holds the lock (0 if it does
// not).
func (r *RLock) Count() int {
	self := hub.Self()
	_, h, local := r.l.where()
	if local {
		return r.l.count(self)
	}
	n := 0
	ask(h, func() error { n = r.l.count(self); return nil })
	return n
}

func (l *Lock) count(self uintptr) int {
	if l.locked && l.owner == self {
		return l.depth
	}
	return 0
}

func (r *RLock) waitHub() *hub.Hub          { return r.l.Hub() }
func (r *RLock) linkReady(fn func()) func() { return r.l.linkReady(fn) }
