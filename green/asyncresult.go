package green

import (
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// AsyncResult is a one-shot value or error that greenlets can wait for
// (gevent's AsyncResult): an Event that carries a result. Setting it again
// replaces the result, for later readers and for woken waiters that have
// not run yet.
//
// The zero value is unset, bound to a hub at first use (see BindHub). Set,
// SetError, Ready, Successful, Value and Err are safe from any goroutine
// (the getters are one atomic load). Get in a greenlet of the result's hub
// parks it without allocating; in a plain goroutine it blocks like a Go
// wait. SetFrom makes it the target of a greenlet link:
//
//	r := new(green.AsyncResult)
//	gl.RawLink(r.SetFrom)
//
// Cost: Set allocates the 32-byte result record and is O(waiters).
type AsyncResult struct {
	binding
	res     atomic.Pointer[result]
	waiters wlist[struct{}]
	links   rawLinks
}

type result struct {
	v   any
	err error
}

// Set stores v as the successful result and wakes every waiter. From a
// plain goroutine it returns ErrHubStopped if the result's hub has stopped.
func (r *AsyncResult) Set(v any) error { return r.store(&result{v: v}) }

// SetError stores err as the failure and wakes every waiter (gevent's
// set_exception). SetError(nil) is Set(nil).
func (r *AsyncResult) SetError(err error) error { return r.store(&result{err: err}) }

// SetFrom stores gl's outcome: its value, or its error if it failed. Its
// signature makes it usable directly with Greenlet.Link and RawLink. If
// gl has not finished it does nothing. It never waits: called on a hub
// other than the result's, it posts the set to the result's hub.
func (r *AsyncResult) SetFrom(gl *Greenlet) {
	if gl == nil || !gl.Dead() {
		return
	}
	res := &result{v: gl.Value(), err: gl.Err()}
	_, h, local := r.where()
	if local {
		r.set(res)
		return
	}
	if _, ch := hub.Current(); ch == nil {
		r.store(res) // a plain goroutine: set before returning
		return
	}
	// A link running on another hub (in its loop, or in the dying
	// greenlet itself): never block or park it.
	h.Post(func() { r.set(res) })
}

func (r *AsyncResult) store(res *result) error {
	g, h, local := r.where()
	if local {
		r.set(res)
		return nil
	}
	_, err := remote(h, g, false, func() (struct{}, error) { r.set(res); return struct{}{}, nil }, nil)
	return err
}

func (r *AsyncResult) set(res *result) {
	r.res.Store(res)
	for n := r.waiters.claim(); n != nil; n = r.waiters.claim() {
	}
	r.links.fire()
}

// Ready reports whether a result has been set.
func (r *AsyncResult) Ready() bool { return r.res.Load() != nil }

// Successful reports whether a result was set without an error.
func (r *AsyncResult) Successful() bool {
	p := r.res.Load()
	return p != nil && p.err == nil
}

// Value returns the value set, or nil if there is none (or it failed).
func (r *AsyncResult) Value() any {
	if p := r.res.Load(); p != nil {
		return p.v
	}
	return nil
}

// Err returns the error set, or nil.
func (r *AsyncResult) Err() error {
	if p := r.res.Load(); p != nil {
		return p.err
	}
	return nil
}

// Get waits until the result is set and returns it. In a greenlet, a kill,
// a Timeout or a deadlock interrupts the wait (the greenlet unwinds); a
// plain goroutine gets ErrDeadlock or ErrHubStopped as the error.
func (r *AsyncResult) Get() (any, error) { return r.GetTimeout(forever) }

// GetNowait returns the result if it is set, or ErrTimeout.
func (r *AsyncResult) GetNowait() (any, error) { return r.GetTimeout(0) }

// GetTimeout is Get giving up after d with ErrTimeout (d < 0: no limit,
// d == 0: do not wait). The error set with SetError is returned as is.
func (r *AsyncResult) GetTimeout(d time.Duration) (any, error) {
	if p := r.res.Load(); p != nil {
		return p.v, p.err
	}
	g, h, local := r.where()
	if local {
		return r.get(g, d)
	}
	if d == 0 {
		return nil, ErrTimeout
	}
	p, err := remote(h, g, true, func() (*result, error) {
		v, err := r.GetTimeout(d)
		if err == ErrTimeout && !r.Ready() {
			return nil, ErrTimeout
		}
		return &result{v, err}, nil
	}, nil)
	if err != nil {
		return nil, err
	}
	return p.v, p.err
}

func (r *AsyncResult) get(g *hub.G, d time.Duration) (any, error) {
	if p := r.res.Load(); p != nil {
		return p.v, p.err
	}
	if d == 0 {
		return nil, ErrTimeout
	}
	if g == nil {
		panic(hub.ErrNotCoroutine)
	}
	n := r.waiters.enqueue(g)
	res := r.waiters.park(n, d)
	r.waiters.recycle(n)
	if res == hub.Interrupted {
		g.Raise()
	}
	if p := r.res.Load(); p != nil {
		return p.v, p.err
	}
	return nil, ErrTimeout
}

// Wait waits until the result is set, at most d (d < 0: no limit), and
// reports whether it is.
func (r *AsyncResult) Wait(d time.Duration) bool {
	_, err := r.GetTimeout(d)
	return r.Ready() || err == nil
}

func (r *AsyncResult) waitHub() *hub.Hub { return r.Hub() }

func (r *AsyncResult) waitLink(fn func()) func() {
	if r.res.Load() != nil {
		fn()
	}
	id := r.links.add(fn)
	return func() { r.links.remove(id) }
}
