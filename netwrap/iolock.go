//go:build unix

package netwrap

import (
	"sync"
	"sync/atomic"

	"github.com/greenrt/green/hub"
)

// ioLock serialises the callers of one direction of a socket (its reads,
// or its writes), as package net's fdMutex does: a Write holds it for the
// whole Write, so that two writers never interleave their bytes, and a
// second caller waits for the first instead of failing. It is what lets
// greenlets (which make raw system calls on the descriptor) and plain
// goroutines (which call the package net value's methods, with package
// net's own lock) share a socket: both take this lock first.
//
// Waiting goes through hub.Waiter: a greenlet parks (its hub keeps
// running), a plain goroutine blocks. The uncontended case is one
// compare-and-swap to lock and one to unlock, with no hub involved, so a
// plain goroutine alone on a socket pays nothing else. Contended, the
// waiters queue in FIFO order in a WaitList guarded by mu (held for a few
// instructions, never across a wait) and unlock hands the lock straight
// to the first of them.
//
// close makes every later lock fail with net.ErrClosed and wakes the
// queued callers with it (package net's Close does the same to callers
// waiting for its fdMutex); the holder, if any, keeps the lock until it
// unlocks.
//
// The zero value is unlocked and open. An ioLock must not be copied.
type ioLock struct {
	state atomic.Uint32 // lockHeld | lockQueued | lockClosed
	mu    sync.Mutex
	q     hub.WaitList[struct{}] // guarded by mu
}

const (
	lockHeld   = 1 << iota // somebody holds the lock
	lockQueued             // waiters may be queued: unlock takes the slow path
	lockClosed             // closed: lock fails
)

// lock takes the lock, waiting behind its holder and earlier waiters. It
// returns errClosed (without the lock) once close was called. A greenlet
// parks while it waits; a kill or a timeout interrupts the wait (the
// greenlet unwinds without the lock). It must not be called from a hub
// callback when it could wait.
func (l *ioLock) lock() error {
	if l.state.CompareAndSwap(0, lockHeld) {
		return nil
	}
	return l.lockSlow()
}

// tryLock takes the lock if it is free, without waiting.
func (l *ioLock) tryLock() bool {
	for {
		s := l.state.Load()
		if s&(lockHeld|lockClosed) != 0 {
			return false
		}
		if l.state.CompareAndSwap(s, s|lockHeld) {
			return true
		}
	}
}

func (l *ioLock) lockSlow() error {
	g, h := hub.Current()
	if g == nil && h != nil {
		panic(hub.ErrNotCoroutine) // a hub callback must never wait
	}
	l.mu.Lock()
	for {
		s := l.state.Load()
		if s&lockClosed != 0 {
			l.mu.Unlock()
			return errClosed
		}
		if s&lockHeld == 0 {
			if l.state.CompareAndSwap(s, s|lockHeld) {
				l.mu.Unlock()
				return nil
			}
			continue
		}
		// Under mu, so that unlock sees either this flag or, once it
		// has taken mu, the node linked below.
		if l.state.CompareAndSwap(s, s|lockQueued) {
			break
		}
	}
	// A fresh node for every wait: a Waiter woken across goroutines must
	// not be reused while its waker may still be finishing Wake.
	n := new(hub.WaitNode[struct{}])
	n.Prepare()
	l.q.PushBack(n)
	l.mu.Unlock()
	var release func()
	if g != nil {
		// The holder may be a plain goroutine or a greenlet of another
		// hub, whose wake-up the hub cannot foresee: a greenlet parked
		// here is not deadlocked (see hub.Hold). A holder of this hub
		// is in an I/O wait, which keeps the hub busy anyway.
		release = h.Hold()
	}
	res := n.Wait(-1, nil)
	if release != nil {
		release()
	}
	if res == hub.Woken {
		return n.Err() // nil: the holder handed the lock over
	}
	// Interrupted (Wait has withdrawn n, unless a waker won the race).
	l.mu.Lock()
	l.q.Remove(n)
	l.mu.Unlock()
	if n.Claimed() && n.Err() == nil {
		l.unlock() // handed over as we were interrupted: pass it on
	}
	g.Raise()
	return nil // not reached
}

// unlockUnlessDone unlocks l unless *done: deferred by sock.wait, to
// release the lock when a kill unwinds the wait.
func (l *ioLock) unlockUnlessDone(done *bool) {
	if !*done {
		l.unlock()
	}
}

// unlock releases the lock, handing it to the first queued waiter if
// there is one. Any goroutine may unlock.
func (l *ioLock) unlock() {
	if l.state.CompareAndSwap(lockHeld, 0) {
		return
	}
	l.unlockSlow()
}

func (l *ioLock) unlockSlow() {
	l.mu.Lock()
	n := l.q.Claim() // skips (and unlinks) waiters that gave up
	for {
		s := l.state.Load()
		next := s &^ (lockHeld | lockQueued)
		if n != nil {
			next = s // handed over: still held
			if l.q.Empty() {
				next &^= lockQueued
			}
		}
		if l.state.CompareAndSwap(s, next) {
			break
		}
	}
	l.mu.Unlock()
	if n != nil {
		n.WakeWith(nil)
	}
}

// close fails every later lock and wakes the queued waiters with
// errClosed. It reports whether this was the first close.
func (l *ioLock) close() bool {
	l.mu.Lock()
	var s uint32
	for {
		s = l.state.Load()
		if l.state.CompareAndSwap(s, (s|lockClosed)&^lockQueued) {
			break
		}
	}
	var failed []*hub.WaitNode[struct{}]
	for n := l.q.Claim(); n != nil; n = l.q.Claim() {
		failed = append(failed, n)
	}
	l.mu.Unlock()
	for _, n := range failed {
		n.WakeWith(errClosed)
	}
	return s&lockClosed == 0
}
