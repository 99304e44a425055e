package green

import (
	"sync"
	"time"

	"github.com/greenrt/green/hub"
)

// Waiter is gevent's Waiter: one blocked caller, a parked greenlet or a
// plain goroutine, that somebody else wakes once. It is a thin face of
// hub.Waiter, the one waiting mechanism of this module, with gevent's
// names.
//
// Create it with NewWaiter in the context that will wait, hand it to
// whoever will call Wake, then call Wait. Wake is safe from any goroutine
// and takes effect at most once; a Wake that arrives before Wait makes
// Wait return at once, one that arrives after Wait gave up (timeout,
// interrupt) is dropped. Cost: one allocation (and a channel for a plain
// goroutine).
type Waiter struct {
	w hub.Waiter
}

// NewWaiter prepares a Waiter for the calling context. It panics with
// hub.ErrNotCoroutine in a hub callback, which must not block.
func NewWaiter() *Waiter {
	w := new(Waiter)
	w.w.Prepare()
	return w
}

// Wake wakes the waiter, once. Safe from any goroutine.
func (w *Waiter) Wake() { w.w.Notify() }

// Woken reports whether Wake has been called (and won).
func (w *Waiter) Woken() bool { return w.w.Claimed() }

// Wait blocks until Wake or the timeout (timeout < 0: none; 0: only look).
// It returns hub.Woken, hub.TimedOut or hub.Interrupted; on Interrupted the
// caller undoes its registrations and calls Raise.
//
// from is the hub whose greenlets will call Wake (nil: unknown). A plain
// goroutine declares itself waiting for that hub, so that its deadlock
// detection can free it (see hub.Waiter.Wait).
func (w *Waiter) Wait(timeout time.Duration, from *hub.Hub) hub.ParkResult {
	if g := w.w.G(); g != nil {
		g.SetWaitingOn(w, hub.WaitOther)
	}
	return w.w.Wait(timeout, from)
}

// Cancel withdraws the waiter, so that a late Wake is dropped. It reports
// whether a Wake had already happened.
func (w *Waiter) Cancel() bool { return !w.w.Cancel() }

// Raise panics with the waiting greenlet's pending interrupt (after Wait
// returned hub.Interrupted).
func (w *Waiter) Raise() { w.w.Raise() }

// collector gathers finished greenlets for JoinAll and friends, from any
// number of hubs. Its links run on the greenlets' hubs, its reader
// anywhere: it is guarded by a mutex, never held across a wait.
type collector struct {
	mu        sync.Mutex
	want      int
	stopOnErr bool
	done      []*Greenlet
	err       error
	w         hub.Waiter
	follows   []*followed
}

// followed is one greenlet a collector follows. One of another hub than
// the caller's is counted in its joiners (see observed) from follow to the
// end of wait, which tells so by asking OnHub again (the caller cannot
// have changed hubs): a field for it would take followed to a larger size
// class, on every greenlet a JoinAll follows.
type followed struct {
	node hub.WaitNode[none] // a callback node of gl's links, on gl's hub
	gl   *Greenlet
	c    *collector
}

// Fire collects gl, which has died (the callback of the node).
func (f *followed) Fire() { f.c.add(f.gl) }

func newCollector(want int, stopOnErr bool) *collector {
	c := &collector{want: want, stopOnErr: stopOnErr}
	c.w.Prepare()
	return c
}

func (c *collector) follow(gl *Greenlet) {
	if gl.Dead() {
		c.add(gl)
		return
	}
	f := &followed{gl: gl, c: c}
	f.node.Fn = f
	f.node.ID = observerID // its error is collected: not logged (observed)
	c.follows = append(c.follows, f)
	register := func() {
		if gl.state.Load() == stDead {
			c.add(gl)
			return
		}
		gl.linkOnHub(&f.node)
	}
	h := gl.g.Hub()
	if h.OnHub() {
		register()
		return
	}
	// Posted, not called: a greenlet must never block its hub on another
	// one (two hubs joining each other would wedge). Announced first: a
	// death before the post runs is observed (not logged as unhandled).
	gl.joiners.Add(1)
	if h.Post(register) != nil {
		c.add(gl) // its hub is gone: it is dead or never ran
	}
}

func (c *collector) add(gl *Greenlet) {
	c.mu.Lock()
	c.done = append(c.done, gl)
	trigger := len(c.done) >= c.want
	if c.stopOnErr && c.err == nil && gl.Err() != nil {
		c.err = gl.Err()
		trigger = true
	}
	c.mu.Unlock()
	if trigger {
		c.w.Notify()
	}
}

// lower reduces the number awaited (duplicates, nils).
func (c *collector) lower(n int) {
	c.mu.Lock()
	c.want = n
	trigger := len(c.done) >= n
	c.mu.Unlock()
	if trigger {
		c.w.Notify()
	}
}

func (c *collector) wait(timeout time.Duration) error {
	var from *hub.Hub
	if len(c.follows) > 0 {
		from = c.follows[0].gl.g.Hub()
	}
	c.mu.Lock()
	ready := len(c.done) >= c.want || c.err != nil
	c.mu.Unlock()
	if ready {
		c.w.Notify() // nothing to wait for (or all done already)
	}
	markWait(c, hub.WaitJoin)
	res := c.w.Wait(timeout, from)
	for _, f := range c.follows {
		h := f.gl.g.Hub()
		local := h.OnHub()
		if !local {
			f.gl.joiners.Add(-1) // counted by follow
		}
		if !f.gl.Dead() {
			f := f
			unlink := func() { f.gl.links.Remove(&f.node) }
			if local {
				unlink()
			} else {
				h.Post(unlink)
			}
		}
	}
	if res == hub.Interrupted {
		c.w.Raise()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if res == hub.Woken && c.w.Err() != nil && len(c.done) < c.want {
		return c.w.Err() // deadlock, hub never started or stopped
	}
	if res == hub.TimedOut && len(c.done) < c.want {
		return ErrTimeout
	}
	return nil
}

func (c *collector) result() []*Greenlet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Greenlet(nil), c.done...)
}
