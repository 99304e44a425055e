package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// Semaphore is a counter of permits for greenlets (gevent's Semaphore):
// Acquire takes a permit, waiting while there is none, and Release gives
// one back, handing it straight to the longest-waiting acquirer. Waiters
// are served in FIFO order and a newcomer never overtakes them; a waiter
// cancelled by a timeout or a kill takes no permit. Permits have no owner:
// any greenlet or goroutine may release. Release beyond the initial value
// is allowed (see BoundedSemaphore for the checked variant).
//
// The zero value has one permit and is bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine: in a greenlet of the
// semaphore's hub an Acquire that does not wait is a few nanoseconds and
// one that waits is one park, without allocating; a plain goroutine that
// must wait blocks like a Go wait (through a proxy greenlet) and gets
// ErrDeadlock if nothing can ever release.
//
// Timeouts: d < 0 waits without limit, d == 0 does not wait, d > 0 waits
// at most d.
type Semaphore struct {
	binding
	init    bool
	count   int
	bound   int
	waiters wlist[struct{}]
	links   rawLinks
}

// NewSemaphore returns a semaphore with n permits (n < 0 counts as 0).
func NewSemaphore(n int) *Semaphore {
	s := new(Semaphore)
	s.init, s.count, s.bound = true, max(n, 0), max(n, 0)
	return s
}

// lazy gives the zero value its one permit. Hub-only.
func (s *Semaphore) lazy() {
	if !s.init {
		s.init, s.count, s.bound = true, 1, 1
	}
}

// Acquire takes a permit, waiting while there is none. In a greenlet, a
// kill, a Timeout or a deadlock interrupts the wait (the greenlet
// unwinds); a plain goroutine gets ErrDeadlock or ErrHubStopped instead.
func (s *Semaphore) Acquire() error { return s.AcquireTimeout(forever) }

// TryAcquire takes a permit if one is free, without waiting.
func (s *Semaphore) TryAcquire() bool { return s.AcquireTimeout(0) == nil }

// AcquireTimeout is Acquire waiting at most d; it fails with ErrTimeout.
func (s *Semaphore) AcquireTimeout(d time.Duration) error {
	g, h, local := s.where()
	if local {
		return s.acquire(g, d)
	}
	if g == nil {
		_, err := remote(h, g, false, func() (none, error) { return none{}, s.acquire(nil, 0) }, nil)
		if err != ErrTimeout || d == 0 {
			return err
		}
	}
	_, err := remote(h, g, true, func() (bool, error) { return true, s.AcquireTimeout(d) },
		func(bool) { s.release(false) })
	return err
}

func (s *Semaphore) acquire(g *hub.G, d time.Duration) error {
	s.lazy()
	if s.count > 0 {
		s.count--
		return nil
	}
	if d == 0 {
		return ErrTimeout
	}
	if g == nil {
		panic(hub.ErrNotCoroutine)
	}
	n := s.waiters.enqueue(g)
	res := s.waiters.park(n, d)
	done := n.done
	s.waiters.recycle(n)
	if res == hub.Interrupted {
		if done {
			s.release(false) // pass the permit on
		}
		g.Raise()
	}
	if done {
		return nil
	}
	return ErrTimeout
}

// Release gives a permit back, waking the longest-waiting acquirer. It
// returns ErrHubStopped only from a plain goroutine after the hub stopped.
func (s *Semaphore) Release() error { return s.doRelease(false) }

func (s *Semaphore) doRelease(bounded bool) error {
	g, h, local := s.where()
	if local {
		return s.release(bounded)
	}
	_, err := remote(h, g, false, func() (none, error) { return none{}, s.release(bounded) }, nil)
	return err
}

func (s *Semaphore) release(bounded bool) error {
	s.lazy()
	if s.waiters.claim() != nil {
		return nil
	}
	if bounded && s.count >= s.bound {
		return ErrOverRelease
	}
	s.count++
	s.links.fire()
	return nil
}

// Value returns the number of free permits (gevent's counter).
func (s *Semaphore) Value() int {
	n := 0
	s.now(func() { s.lazy(); n = s.count })
	return n
}

// Locked reports whether an Acquire would wait.
func (s *Semaphore) Locked() bool { return s.Value() == 0 }

func (s *Semaphore) now(fn func()) {
	g, h, local := s.where()
	if local {
		fn()
		return
	}
	remote(h, g, false, func() (none, error) { fn(); return none{}, nil }, nil)
}

func (s *Semaphore) waitHub() *hub.Hub { return s.Hub() }

func (s *Semaphore) waitLink(fn func()) func() {
	s.lazy()
	if s.count > 0 {
		fn()
	}
	id := s.links.add(fn)
	return func() { s.links.remove(id) }
}
