package green

import (
	"fmt"
	"time"

	"github.com/greenrt/green/hub"
)

// Timeout interrupts the greenlet that started it when it expires: the
// greenlet's current or next park panics with the *Timeout, unwinding it
// through its deferred calls up to the Do (or WithTimeout) that owns the
// timeout, which returns it as an error. An uncaught Timeout kills the
// greenlet with the *Timeout as its error. gevent's Timeout.
//
// A *Timeout is an error that matches ErrTimeout with errors.Is and has
// Timeout() true, like a net.Error. It can be restarted after it expired
// or was cancelled. The zero value is not usable; use NewTimeout.
type Timeout struct {
	d       time.Duration
	timer   hub.Timer
	g       *hub.G
	h       *hub.Hub
	err     error // raised instead of the *Timeout itself (NewTimeoutErr)
	expired bool
}

// NewTimeout returns a timeout of d, not started. d < 0 never expires.
func NewTimeout(d time.Duration) *Timeout { return &Timeout{d: d} }

// NewTimeoutErr returns a timeout of d that reports err instead of itself
// (gevent's Timeout(seconds, exception)): Do and WithTimeout return err
// when it expires, and a greenlet it kills fails with err. The interrupt
// raised at the park point is still the *Timeout (so that its Do can tell
// it from other timeouts); a nil err makes it NewTimeout.
func NewTimeoutErr(d time.Duration, err error) *Timeout { return &Timeout{d: d, err: err} }

// result is what the timeout reports when it expires.
func (t *Timeout) result() error {
	if t.err != nil {
		return t.err
	}
	return t
}

// Duration returns the timeout's length.
func (t *Timeout) Duration() time.Duration { return t.d }

// Start arms the timeout against the calling greenlet. Starting a pending
// timeout restarts it. It fails with ErrNotGreenlet from a plain goroutine.
func (t *Timeout) Start() error {
	g, h := hub.Current()
	if g == nil {
		return ErrNotGreenlet
	}
	if t.g != nil && t.timer.Active() {
		t.h.StopTimer(&t.timer)
		t.untrack()
	}
	t.g, t.h, t.expired = g, h, false
	if t.d >= 0 {
		h.StartTimer(&t.timer, t.d, fireTimeout, t)
		if gl, ok := g.Runner().(*Greenlet); ok {
			x := gl.extra()
			x.timeouts = append(x.timeouts, t)
		}
	}
	return nil
}

// untrack forgets t in its greenlet's list of armed timeouts.
func (t *Timeout) untrack() {
	gl, ok := t.g.Runner().(*Greenlet)
	if !ok || gl.x == nil {
		return
	}
	ts := gl.x.timeouts
	for i, x := range ts {
		if x == t {
			ts[i] = ts[len(ts)-1]
			ts[len(ts)-1] = nil
			gl.x.timeouts = ts[:len(ts)-1]
			return
		}
	}
}

// stopTimeouts disarms the timeouts a dying greenlet left armed: they
// could only interrupt a dead greenlet, and an armed timer would keep its
// hub from ever looking quiet to deadlock detection. Hub-only.
func (gl *Greenlet) stopTimeouts() {
	for _, t := range gl.x.timeouts {
		t.h.StopTimer(&t.timer)
	}
	clear(gl.x.timeouts)
	gl.x.timeouts = nil
}

func fireTimeout(arg any) {
	t := arg.(*Timeout)
	t.expired = true
	t.untrack()
	if t.g.Dead() {
		return
	}
	if _, kill := t.g.PendingInterrupt().(*KillError); kill {
		return // a kill outranks a timeout
	}
	if p := t.g.PendingInterrupt(); p != nil && p != any(t) {
		// Another interrupt (an inner timeout) is pending: do not replace
		// it; try again once it has been raised.
		t.h.StartTimer(&t.timer, 0, fireTimeout, t)
		if gl, ok := t.g.Runner().(*Greenlet); ok {
			gl.x.timeouts = append(gl.x.timeouts, t)
		}
		return
	}
	t.g.Interrupt(t)
}

// StartTimeout creates and starts a timeout (gevent's Timeout.start_new).
func StartTimeout(d time.Duration) (*Timeout, error) {
	t := NewTimeout(d)
	return t, t.Start()
}

// Cancel disarms the timeout. If it expired but the interrupt has not been
// raised yet, the interrupt is dropped. Safe to call twice, and on a
// timeout never started. Must be called from the greenlet's hub.
func (t *Timeout) Cancel() {
	if t.g == nil {
		return
	}
	if t.h.StopTimer(&t.timer) {
		t.untrack()
	}
	t.g.ClearInterrupt(t)
}

// Pending reports whether the timeout is armed and has not expired.
func (t *Timeout) Pending() bool { return t.g != nil && t.timer.Active() }

// Expired reports whether the timeout has expired since it was last
// started.
func (t *Timeout) Expired() bool { return t.expired }

// Error describes the timeout.
func (t *Timeout) Error() string { return fmt.Sprintf("green: timeout (%v)", t.d) }

// Is makes errors.Is(t, ErrTimeout) true.
func (t *Timeout) Is(target error) bool { return target == ErrTimeout }

// Timeout reports true, as net.Error does for timeouts.
func (t *Timeout) Timeout() bool { return true }

// Do starts the timeout, runs fn, cancels the timeout, and returns t if it
// expired while fn was running (fn was interrupted at a park point), nil
// otherwise. Other panics, including other timeouts and kills, pass
// through. It fails with ErrNotGreenlet from a plain goroutine.
func (t *Timeout) Do(fn func()) (err error) {
	if err := t.Start(); err != nil {
		return err
	}
	defer func() {
		t.Cancel()
		if !t.expired {
			return
		}
		switch r := recover(); r {
		case nil:
		case any(t):
			err = t.result()
		default:
			panic(r)
		}
	}()
	fn()
	return nil
}

// WithTimeout runs fn with a timeout of d and returns the *Timeout (an
// error matching ErrTimeout) if fn was interrupted by it. Nested timeouts
// are independent: the one that expires is the one reported, by the
// WithTimeout that owns it, and an outer one is unaffected by an inner one.
func WithTimeout(d time.Duration, fn func()) error { return NewTimeout(d).Do(fn) }

// WithTimeoutValue runs fn with a timeout of d and returns fn's results,
// or v and a nil error if the timeout interrupted fn (gevent's
// with_timeout(seconds, fn, timeout_value=v)). From a plain goroutine it
// returns v's type's zero value and ErrNotGreenlet.
func WithTimeoutValue[T any](d time.Duration, v T, fn func() (T, error)) (T, error) {
	var res T
	var err error
	t := NewTimeout(d)
	switch terr := t.Do(func() { res, err = fn() }); {
	case terr == nil:
		return res, err
	case terr == error(t):
		return v, nil
	default:
		var zero T
		return zero, terr
	}
}
