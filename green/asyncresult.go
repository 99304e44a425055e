package green

import (
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// AsyncResult is a one-shot value or error that greenlets and goroutines
// can wait for (gevent's AsyncResult): an Event that carries a result.
// Setting it again replaces the result, for later readers and for woken
// waiters that have not run yet.
//
// The zero value is unset, bound to a hub at first use (see BindHub).
// Every method is safe from any goroutine (see the package documentation);
// Ready, Successful, Value and Err are one atomic load. Get in a greenlet
// of the result's hub parks it without allocating. SetFrom makes it the
// target of a greenlet link:
//
//	r := new(green.AsyncResult)
//	gl.RawLink(r.SetFrom)
//
// Cost: Set allocates the 32-byte result record and is O(waiters).
type AsyncResult struct {
	binding
	res     atomic.Pointer[result]
	waiters hub.WaitList[none] // blocked getters, and links (callback nodes)
	links   *objLinks          // RawLink callbacks (objlink.go), nil until the first
}

type result struct {
	v   any
	err error
}

// Set stores v as the successful result and wakes every waiter. It returns
// ErrHubStopped only after the result's hub has stopped.
func (r *AsyncResult) Set(v any) error { return r.store(&result{v: v}) }

// SetError stores err as the failure and wakes every waiter (gevent's
// set_exception). SetError(nil) is Set(nil).
func (r *AsyncResult) SetError(err error) error { return r.store(&result{err: err}) }

// SetFrom stores gl's outcome: its value, or its error if it failed. Its
// signature makes it usable directly with Greenlet.Link and RawLink. If
// gl has not finished it does nothing. It never waits for another hub:
// from a link running on another hub it posts the set.
func (r *AsyncResult) SetFrom(gl *Greenlet) {
	if gl == nil || !gl.Dead() {
		return
	}
	r.store(&result{v: gl.Value(), err: gl.Err()})
}

func (r *AsyncResult) store(res *result) error {
	_, h, local := r.where()
	if local {
		r.set(res)
		return nil
	}
	return giveTo(h, func() error { r.set(res); return nil })
}

func (r *AsyncResult) set(res *result) {
	r.res.Store(res)
	r.waiters.Fire(none{})
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
// plain goroutine gets ErrHubStopped if the hub stops.
func (r *AsyncResult) Get() (any, error) { return r.get(forever) }

// GetNowait returns the result if it is set, or ErrTimeout.
func (r *AsyncResult) GetNowait() (any, error) { return r.get(0) }

// GetTimeout is Get giving up after d with ErrTimeout (d <= 0: do not
// wait). The error set with SetError is returned as is.
func (r *AsyncResult) GetTimeout(d time.Duration) (any, error) { return r.get(timeoutArg(d)) }

func (r *AsyncResult) get(d time.Duration) (any, error) {
	if p := r.res.Load(); p == nil {
		g, h, local := r.where()
		_, err := await[none](r, &r.waiters, g, h, local, 0, none{}, d)
		switch err {
		case nil:
		case errNoWait, errExpired:
			return nil, ErrTimeout
		default:
			return nil, err
		}
	}
	p := r.res.Load()
	return p.v, p.err
}

// Wait waits until the result is set, at most d (d <= 0: only look), and
// reports whether it is.
func (r *AsyncResult) Wait(d time.Duration) bool {
	r.get(timeoutArg(d))
	return r.Ready()
}

func (r *AsyncResult) tryOp(uint8, none) (none, error, bool) { return none{}, nil, r.res.Load() != nil }

func (r *AsyncResult) waitList(uint8) *hub.WaitList[none] { return &r.waiters }

func (r *AsyncResult) giveBack(uint8, none) {}

func (r *AsyncResult) waitHub() *hub.Hub { return r.Hub() }

func (r *AsyncResult) linkReady(fn func()) func() { return linkTo(&r.waiters, r.res.Load() != nil, fn) }
