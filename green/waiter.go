package green

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// waiter is one blocked caller: a parked greenlet, or a plain goroutine
// blocked on a channel. wake is safe from any goroutine and wakes at most
// once. It is gevent's Waiter, extended to plain goroutines.
type waiter struct {
	g     *hub.G
	seq   uint32
	h     *hub.Hub
	ch    chan struct{}
	woken atomic.Bool
}

// newWaiter prepares a waiter for the calling context. It panics with
// hub.ErrNotCoroutine in a hub callback, which must not block.
func newWaiter() *waiter {
	g, h := blockingCaller()
	if g != nil {
		return &waiter{g: g, seq: g.Seq(), h: h}
	}
	return &waiter{ch: make(chan struct{})}
}

func (w *waiter) wake() {
	if !w.woken.CompareAndSwap(false, true) {
		return
	}
	if w.g == nil {
		close(w.ch)
		return
	}
	if w.h.OnHub() {
		w.g.Wake(w.seq)
		return
	}
	w.h.Post(func() { w.g.Wake(w.seq) }) // w.seq is read on the hub
}

// wait blocks until wake or the timeout (timeout < 0: none). It returns
// hub.Woken, hub.TimedOut or hub.Interrupted; on Interrupted the caller
// undoes its registrations and calls raise.
func (w *waiter) wait(timeout time.Duration) hub.ParkResult {
	if w.g != nil {
		for {
			// A wake-up meant for another wait of this greenlet ends
			// the park without w being woken: park again, under the
			// new park's number so that w.wake still finds it.
			w.seq = w.g.Seq()
			res := w.g.Park(timeout)
			if res != hub.Woken || w.woken.Load() {
				return res
			}
		}
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

// cancel marks a greenlet waiter as no longer interested, so that a late
// wake is dropped. It reports whether a wake had already happened.
func (w *waiter) cancel() bool { return !w.woken.CompareAndSwap(false, true) }

func (w *waiter) raise() { w.g.Raise() }

// collector gathers finished greenlets for JoinAll and friends, from any
// number of hubs.
type collector struct {
	mu        sync.Mutex
	want      int
	stopOnErr bool
	done      []*Greenlet
	err       error
	w         *waiter
	follows   []followed
}

type followed struct {
	gl *Greenlet
	id LinkID
}

func newCollector(want int, stopOnErr bool) *collector {
	return &collector{want: want, stopOnErr: stopOnErr, w: newWaiter()}
}

func (c *collector) follow(gl *Greenlet) {
	if gl.Dead() {
		c.add(gl)
		return
	}
	var id uint32
	err := gl.g.Hub().Call(func() { id = gl.addLinkOnHub(link{kind: linkRaw, fn: c.add}) })
	if err != nil {
		c.add(gl) // its hub is gone: it is dead or never ran
		return
	}
	c.follows = append(c.follows, followed{gl, LinkID(id)})
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
		c.w.wake()
	}
}

// lower reduces the number awaited (duplicates, nils).
func (c *collector) lower(n int) {
	c.mu.Lock()
	c.want = n
	trigger := len(c.done) >= n
	c.mu.Unlock()
	if trigger {
		c.w.wake()
	}
}

func (c *collector) wait(timeout time.Duration) error {
	c.mu.Lock()
	ready := len(c.done) >= c.want || c.err != nil
	c.mu.Unlock()
	var res hub.ParkResult
	if !ready {
		var stop func()
		if c.w.g == nil && len(c.follows) > 0 {
			stop = c.follows[0].gl.g.Hub().Waiting()
		}
		res = c.w.wait(timeout)
		if stop != nil {
			stop()
		}
	}
	c.w.cancel()
	for _, f := range c.follows {
		if !f.gl.Dead() {
			f.gl.Unlink(f.id)
		}
	}
	if res == hub.Interrupted {
		c.w.raise()
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
