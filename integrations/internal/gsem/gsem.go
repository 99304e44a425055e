package gsem

import (
	"context"
	"sync"

	"github.com/greenrt/green/hub"
)

// Semaphore is a counting semaphore. Create it with New.
type Semaphore struct {
	mu    sync.Mutex
	free  int
	queue []*hub.Waiter // FIFO; entries that gave up are skipped on release
	head  int
}

// New returns a semaphore with n permits (n < 0 counts as 0).
func New(n int) *Semaphore { return &Semaphore{free: max(n, 0)} }

// TryAcquire takes a permit if one is free and nobody waits for one.
func (s *Semaphore) TryAcquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.free > 0 && s.head == len(s.queue) {
		s.free--
		return true
	}
	return false
}

// Acquire takes a permit, waiting while there is none: a greenlet parks
// (its hub runs the others, and holds itself meanwhile, since the permit
// may come from a plain goroutine), a plain goroutine blocks. It returns
// ctx.Err() if ctx ends first. In a greenlet, a kill or green.Timeout
// unwinds it as usual (a permit handed to it as it gave up is passed on).
// In a hub callback, which must never wait, it panics with
// hub.ErrNotCoroutine.
func (s *Semaphore) Acquire(ctx context.Context) error {
	if s.TryAcquire() {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w := new(hub.Waiter).Prepare()
	s.mu.Lock()
	if s.free > 0 && s.head == len(s.queue) { // freed meanwhile
		s.free--
		s.mu.Unlock()
		return nil
	}
	s.queue = append(s.queue, w)
	s.mu.Unlock()
	if g := w.G(); g != nil {
		defer g.Hub().Hold()()
	}
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { w.Fail(ctx.Err()) })
	}
	res := w.Wait(-1, nil)
	if stop != nil {
		stop()
	}
	switch res {
	case hub.Woken:
		return w.Err() // nil: a permit; else the context's error
	case hub.Interrupted:
		if w.Claimed() && w.Err() == nil {
			s.Release() // handed a permit as it was interrupted
		}
		w.Raise()
	}
	return nil // not reached: Wait without a timeout
}

// Release gives a permit back, to the longest waiter if there is one.
func (s *Semaphore) Release() {
	s.mu.Lock()
	for s.head < len(s.queue) {
		w := s.queue[s.head]
		s.queue[s.head] = nil
		s.head++
		if w.Claim() {
			s.compact()
			s.mu.Unlock()
			w.Wake()
			return
		}
	}
	s.free++
	s.compact()
	s.mu.Unlock()
}

// compact drops the consumed front of the queue once it is half of it.
func (s *Semaphore) compact() {
	if s.head == len(s.queue) {
		s.queue, s.head = s.queue[:0], 0
	} else if s.head > 64 && s.head*2 > len(s.queue) {
		n := copy(s.queue, s.queue[s.head:])
		clear(s.queue[n:])
		s.queue, s.head = s.queue[:n], 0
	}
}

// Free returns the number of free permits.
func (s *Semaphore) Free() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.free
}
