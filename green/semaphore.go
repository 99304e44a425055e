package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// Semaphore is a counter of permits (gevent's Semaphore): Acquire takes a
// permit, waiting while there is none, and Release gives one back, handing
// it straight to the longest-waiting acquirer. Waiters are served in FIFO
// order and a newcomer never overtakes them; a waiter cancelled by a
// timeout or a kill takes no permit (one handed to it as it gave up is
// passed on). Permits have no owner: any greenlet or goroutine may
// release. Release beyond the initial value is allowed (see
// BoundedSemaphore for the checked variant).
//
// The zero value has one permit and is bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine (see the package
// documentation for what each kind of caller gets): in a greenlet of the
// semaphore's hub an Acquire that does not wait is a few nanoseconds and
// one that waits is one park, without allocating.
type Semaphore struct {
	binding
	init  bool
	count int
	bound int
	// waiters holds blocked acquirers and, as callback nodes, the links of
	// Wait and IWait (fired when a permit becomes free).
	waiters hub.WaitList[none]
	links   *objLinks // RawLink callbacks (objlink.go), nil until the first
}

type none = struct{}

// NewSemaphore returns a semaphore with n permits. It panics if n < 0
// (gevent raises ValueError).
func NewSemaphore(n int) *Semaphore {
	s := new(Semaphore)
	s.setInitial(n)
	return s
}

func (s *Semaphore) setInitial(n int) {
	if n < 0 {
		panic(ErrNegativeCount)
	}
	s.init, s.count, s.bound = true, n, n
}

// lazy gives the zero value its one permit. Hub-only.
func (s *Semaphore) lazy() {
	if !s.init {
		s.init, s.count, s.bound = true, 1, 1
	}
}

// Acquire takes a permit, waiting while there is none. In a greenlet, a
// kill, a Timeout or a deadlock interrupts the wait (the greenlet
// unwinds); a plain goroutine gets ErrHubStopped if the hub stops.
func (s *Semaphore) Acquire() error { return s.acquire(forever) }

// TryAcquire takes a permit if one is free, without waiting.
func (s *Semaphore) TryAcquire() bool { return s.acquire(0) == nil }

// AcquireTimeout is Acquire waiting at most d (d <= 0: only try); it fails
// with ErrTimeout.
func (s *Semaphore) AcquireTimeout(d time.Duration) error { return s.acquire(timeoutArg(d)) }

func (s *Semaphore) acquire(d time.Duration) error {
	g, h, local := s.where()
	if local && g != nil {
		s.lazy()
		if s.count > 0 { // fast path
			s.count--
			return nil
		}
	}
	_, err := await[none](s, &s.waiters, g, h, local, 0, none{}, d)
	switch err {
	case errNoWait:
		return ErrTimeout
	case errExpired:
		return ErrTimeout
	}
	return err
}

func (s *Semaphore) tryOp(uint8, none) (none, error, bool) {
	s.lazy()
	if s.count > 0 {
		s.count--
		return none{}, nil, true
	}
	return none{}, nil, false
}

func (s *Semaphore) waitList(uint8) *hub.WaitList[none] { return &s.waiters }

func (s *Semaphore) giveBack(uint8, none) { s.release(false) }

// Release gives a permit back, waking the longest-waiting acquirer. It
// returns ErrHubStopped only after the semaphore's hub stopped.
func (s *Semaphore) Release() error { return s.doRelease(false) }

func (s *Semaphore) doRelease(bounded bool) error {
	_, h, local := s.where()
	if local {
		return s.release(bounded)
	}
	return giveTo(h, func() error { return s.release(bounded) })
}

func (s *Semaphore) release(bounded bool) error {
	s.lazy()
	if n := s.waiters.Claim(); n != nil {
		n.Wake() // the permit goes straight to it
		return nil
	}
	if bounded && s.count >= s.bound {
		return ErrOverRelease
	}
	s.count++
	s.waiters.Fire(none{}) // only links are left
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
	_, h, local := s.where()
	if local {
		fn()
		return
	}
	ask(h, func() error { fn(); return nil })
}

func (s *Semaphore) waitHub() *hub.Hub { return s.Hub() }

func (s *Semaphore) linkReady(fn func()) func() {
	s.lazy()
	return linkTo(&s.waiters, s.count > 0, fn)
}
