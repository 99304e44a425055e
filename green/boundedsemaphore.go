package green

import "github.com/greenrt/green/hub"

// BoundedSemaphore is a Semaphore that refuses to be released more times
// than it was acquired: such a Release fails with ErrOverRelease (gevent's
// BoundedSemaphore raises ValueError). The zero value has one permit.
type BoundedSemaphore struct {
	Semaphore
}

// NewBoundedSemaphore returns a bounded semaphore with n permits. It panics
// if n < 0.
func NewBoundedSemaphore(n int) *BoundedSemaphore {
	s := new(BoundedSemaphore)
	s.setInitial(n)
	return s
}

// Release gives a permit back, waking the longest-waiting acquirer. It
// fails with ErrOverRelease if every permit is already free.
func (s *BoundedSemaphore) Release() error { return s.doRelease(true) }

func (s *BoundedSemaphore) waitHub() *hub.Hub          { return s.Semaphore.waitHub() }
func (s *BoundedSemaphore) linkReady(fn func()) func() { return s.Semaphore.linkReady(fn) }
