package green

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// Waiter is one blocked caller: a parked greenlet, or a plain goroutine
// blocked on a channel. It is gevent's Waiter, extended to plain
// goroutines, and the building block of waits in this package and in
// package pool.
//
// Create it with NewWaiter in the context that will wait, hand it to
// whoever will call Wake, then call Wait. Wake is safe from any goroutine
// and takes effect at most once; a wake-up that arrives after Wait
// returned, or that was meant for another park of the greenlet, is
// dropped. Cost: one allocation (and a channel for a plain goroutine).
type Waiter struct {
	g     *hub.G
	seq   uint32
	h     *hub.Hub
	ch    chan struct{}
	woken atomic.Bool
	over  bool // (greenlet waiters, on the hub) Wait has returned
}

// NewWaiter prepares a Waiter for the calling context. It panics with
// hub.ErrNotCoroutine in a hub callback, which must not block.
func NewWaiter() *Waiter {
	g, h := blockingCaller()
	if g != nil {
		return &Waiter{g: g, seq: g.Seq(), h: h}
	}
	return &Waiter{ch: make(chan struct{})}
}

// Wake wakes the waiter, once. Safe from any goroutine.
func (w *Waiter) Wake() {
	if !w.woken.CompareAndSwap(false, true) {
		return
	}
	if w.g == nil {
		close(w.ch)
		return
	}
	if w.h.OnHub() {
		w.wakeOnHub()
		return
	}
	w.h.Post(w.wakeOnHub)
}

// wakeOnHub runs on the waiter's hub; w.seq is only read there.
func (w *Waiter) wakeOnHub() {
	if !w.over {
		w.g.Wake(w.seq)
	}
}

// Woken reports whether Wake has been called (or Cancel won).
func (w *Waiter) Woken() bool { return w.woken.Load() }

// Wait blocks until Wake or the timeout (timeout < 0: none). It returns
// hub.Woken, hub.TimedOut or hub.Interrupted; on Interrupted the caller
// undoes its registrations and calls Raise. A wait called from a greenlet
// that has already been woken returns at once.
//
// from is the hub whose greenlets will call Wake (nil: the caller's own or
// unknown). A plain goroutine declares itself waiting on it (hub.Waiting),
// so that deadlock detection there can free it; a greenlet of another hub
// holds its own hub (hub.Hold) meanwhile, so that deadlock detection does
// not fire while the wake-up is on its way.
func (w *Waiter) Wait(timeout time.Duration, from *hub.Hub) hub.ParkResult {
	if w.g != nil {
		if from != nil && from != w.h {
			defer w.h.Hold()()
		}
		defer func() { w.over = true }()
		for {
			// A wake-up meant for another wait of this greenlet ends
			// the park without w being woken: park again, under the
			// new park's number so that Wake still finds it.
			w.seq = w.g.Seq()
			res := w.g.Park(timeout)
			if res != hub.Woken || w.woken.Load() {
				return res
			}
		}
	}
	if from != nil {
		defer from.Waiting()()
	}
	if timeout < 0 {
		<-w.ch
		return hub.Woken
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-w.ch:
		return hub.Woken
	case <-t.C:
		if w.woken.CompareAndSwap(false, true) {
			return hub.TimedOut
		}
		return hub.Woken
	}
}

// Cancel marks the waiter as no longer interested, so that a late Wake is
// dropped. It reports whether a Wake had already happened.
func (w *Waiter) Cancel() bool { return !w.woken.CompareAndSwap(false, true) }

// Raise panics with the waiting greenlet's pending interrupt (after Wait
// returned hub.Interrupted).
func (w *Waiter) Raise() { w.g.Raise() }

// collector gathers finished greenlets for JoinAll and friends, from any
// number of hubs.
type collector struct {
	mu        sync.Mutex
	want      int
	stopOnErr bool
	done      []*Greenlet
	err       error
	w         *Waiter
	follows   []*followed
}

type followed struct {
	gl *Greenlet
	id uint32 // read and written on gl's hub only
}

func newCollector(want int, stopOnErr bool) *collector {
	return &collector{want: want, stopOnErr: stopOnErr, w: NewWaiter()}
}

func (c *collector) follow(gl *Greenlet) {
	if gl.Dead() {
		c.add(gl)
		return
	}
	f := &followed{gl: gl}
	c.follows = append(c.follows, f)
	register := func() {
		if gl.finished {
			c.add(gl)
			return
		}
		f.id = gl.addLinkOnHub(link{kind: linkRaw, fn: c.add})
	}
	h := gl.g.Hub()
	if h.OnHub() {
		register()
		return
	}
	// Posted, not called: a greenlet must never block its hub on another
	// one (two hubs joining each other would wedge).
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
		c.w.Wake()
	}
}

// lower reduces the number awaited (duplicates, nils).
func (c *collector) lower(n int) {
	c.mu.Lock()
	c.want = n
	trigger := len(c.done) >= n
	c.mu.Unlock()
	if trigger {
		c.w.Wake()
	}
}

func (c *collector) wait(timeout time.Duration) error {
	c.mu.Lock()
	ready := len(c.done) >= c.want || c.err != nil
	c.mu.Unlock()
	var res hub.ParkResult
	if !ready {
		var from *hub.Hub
		if len(c.follows) > 0 {
			from = c.follows[0].gl.g.Hub()
		}
		res = c.w.Wait(timeout, from)
	}
	c.w.Cancel()
	for _, f := range c.follows {
		if !f.gl.Dead() {
			h := f.gl.g.Hub()
			unlink := func() { f.gl.unlink(f.id) }
			if h.OnHub() {
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
