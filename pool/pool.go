package pool

import (
	"time"

	"github.com/greenrt/green/hub"
)

// Pool is a Group with a bound on its size: gevent's Pool. Spawn and Add
// wait (park a greenlet, block a plain goroutine) while the pool is full;
// TrySpawn, TryAdd and AddTimeout fail with ErrPoolFull instead. A pool of
// size 0 is always full.
//
// Create one with NewPool or NewPoolOn; the zero value is not usable (it
// would be a Group of size 0). Every Group method applies, and a *Pool is a
// Spawner for Map, Imap, ImapUnordered, Apply and ApplyAsync, which never
// run more than Size functions at once on it.
//
// Waiters for a slot are served first come, first served: each member that
// leaves wakes one of them. Non-blocking adds (TryAdd, TrySpawn) do not
// queue and may take a slot ahead of them.
type Pool struct {
	Group
}

// NewPool returns a pool of at most size members, whose Spawn starts
// greenlets on the caller's hub. It fails with ErrNegativeSize if size < 0.
func NewPool(size int) (*Pool, error) { return NewPoolOn(nil, size) }

// NewPoolOn is NewPool whose Spawn starts greenlets on h (nil: the
// caller's hub).
func NewPoolOn(h *hub.Hub, size int) (*Pool, error) {
	if size < 0 {
		return nil, ErrNegativeSize
	}
	p := &Pool{}
	p.h, p.bounded, p.size = h, true, size
	return p, nil
}

// Size returns the bound.
func (p *Pool) Size() int { return p.size }

// Free returns the number of free slots (gevent's free_count).
func (p *Pool) Free() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.freeLocked()
}

// Full reports whether no slot is free.
func (p *Pool) Full() bool { return p.Free() <= 0 }

// WaitAvailable waits until a slot is free and returns the number of free
// slots (gevent's wait_available). On a pool of size 0 it waits forever.
func (p *Pool) WaitAvailable() int { return p.waitAvailable(forever) }

// WaitAvailableTimeout is WaitAvailable giving up after d (d <= 0: only
// check); it then returns 0. The slot is not reserved: a later Spawn may
// still find the pool full.
func (p *Pool) WaitAvailableTimeout(d time.Duration) int { return p.waitAvailable(max(d, 0)) }

func (p *Pool) waitAvailable(d time.Duration) int {
	if !p.acquire(d) {
		return 0
	}
	p.mu.Lock()
	p.reserved--
	n := p.freeLocked()
	if n > 0 {
		p.slotQ.wakeOne() // pass the slot on to the next waiter
	}
	p.mu.Unlock()
	return n
}

func (g *Group) freeLocked() int {
	return g.size - len(g.members) - g.reserved
}

// acquire reserves a slot, waiting up to timeout (< 0: forever, 0: only
// check), and reports whether it got one. The reservation becomes a
// membership in add, or is given back with release. It is a no-op on an
// unbounded group. A kill or timeout interrupting the wait is raised after
// the waiter is withdrawn.
func (g *Group) acquire(timeout time.Duration) bool {
	if !g.bounded {
		return true
	}
	dl := newDeadline(timeout)
	g.mu.Lock()
	for {
		if g.freeLocked() > 0 {
			g.reserved++
			g.mu.Unlock()
			return true
		}
		left := dl.left()
		if left == 0 {
			g.mu.Unlock()
			return false
		}
		w, res := g.parkOn(&g.slotQ, left)
		if res == hub.Interrupted && w.Claimed() {
			g.slotQ.wakeOne() // we were handed a slot: pass it on
		}
		if res == hub.Interrupted {
			g.mu.Unlock()
			w.Raise()
		}
	}
}

// release gives back a reservation that will not become a membership.
func (g *Group) release() {
	if !g.bounded {
		return
	}
	g.mu.Lock()
	g.reserved--
	g.slotQ.wakeOne()
	g.mu.Unlock()
}
