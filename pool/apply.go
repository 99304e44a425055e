package pool

import (
	"time"

	"github.com/greenrt/green/green"
)

// Apply runs fn in a greenlet that is a member of s and returns its result
// (gevent's Pool.apply). On a full Pool it first waits for a slot, as
// Spawn does. When the caller is itself a member of s, fn runs inline in
// the caller instead: waiting for a slot held by the caller could deadlock.
//
// A panic in fn re-panics in the caller with a *green.PanicError carrying
// the greenlet's stack. If the calling greenlet is killed (or times out)
// while it waits, the greenlet running fn is killed too (without waiting).
func Apply[Out any](s Spawner, fn func() (Out, error)) (Out, error) {
	g := groupOf(s)
	if g == nil || fn == nil {
		var zero Out
		return zero, ErrNilFunc
	}
	if me := green.Current(); me != nil && g.Contains(me) {
		return fn()
	}
	g.acquire(forever)
	r := startApply(g, fn)
	defer func() {
		if !r.gl.Dead() { // interrupted while waiting
			r.gl.KillWith(green.KillOptions{NoWait: true})
		}
	}()
	return r.get(forever)
}

// ApplyAsync starts fn in a member of s and returns at once, even on a
// full Pool (gevent's apply_async): then a helper greenlet, not a member,
// waits for the slot and runs fn as Apply does. The Result gives the
// outcome. The greenlets go to the group's hub, or the caller's.
func ApplyAsync[Out any](s Spawner, fn func() (Out, error)) *Result[Out] {
	g := groupOf(s)
	if g == nil || fn == nil {
		g, fn = NewGroup(), func() (Out, error) { var zero Out; return zero, ErrNilFunc }
	}
	if g.acquire(0) {
		return startApply(g, fn)
	}
	t := &task[struct{}, Out]{fn: func(struct{}) (Out, error) { return Apply(s, fn) }}
	gl := green.NewOn(g.spawnHub(), t.run)
	gl.Start()
	return &Result[Out]{gl: gl, t: t}
}

func startApply[Out any](g *Group, fn func() (Out, error)) *Result[Out] {
	t := &task[struct{}, Out]{fn: func(struct{}) (Out, error) { return fn() }}
	gl := green.NewOn(g.spawnHub(), t.run)
	g.add(gl, true, nil)
	gl.Start()
	return &Result[Out]{gl: gl, t: t}
}

// Result is the outcome of ApplyAsync: gevent's AsyncResult-like view of
// the greenlet that runs the function. Its methods are safe from any
// goroutine; the waiting ones park a greenlet and block a plain goroutine.
type Result[Out any] struct {
	gl *green.Greenlet
	t  *task[struct{}, Out]
}

// Then arranges for fn(value, err) to run in a new greenlet once the
// result is ready (gevent's apply_cb and map_cb, the callback of
// apply_async and map_async); it returns at once. A panic of the function
// reaches fn as a *green.PanicError error, not as a panic.
func (r *Result[Out]) Then(fn func(Out, error)) {
	if fn == nil {
		return
	}
	r.gl.Link(func(*green.Greenlet) {
		var v Out
		var err error
		func() {
			defer func() {
				if p := recover(); p != nil {
					if pe, ok := p.(*green.PanicError); ok {
						err = pe
						return
					}
					panic(p)
				}
			}()
			v, err = r.Get()
		}()
		fn(v, err)
	})
}

// MapAsync runs Map(s, items, fn) in a new greenlet and returns at once
// (gevent's map_async); its Result gives Map's results, and Then gives
// them to a callback (gevent's map_cb).
func MapAsync[In, Out any](s Spawner, items []In, fn func(In) (Out, error)) *Result[[]Out] {
	g := groupOf(s)
	if g == nil || fn == nil {
		g = NewGroup()
	}
	t := &task[struct{}, []Out]{fn: func(struct{}) ([]Out, error) { return Map(s, items, fn) }}
	gl := green.NewOn(g.spawnHub(), t.run)
	gl.Start()
	return &Result[[]Out]{gl: gl, t: t}
}

// Greenlet returns the greenlet that produces the result (the helper
// greenlet when the pool was full at ApplyAsync).
func (r *Result[Out]) Greenlet() *green.Greenlet { return r.gl }

// Ready reports whether the result is available.
func (r *Result[Out]) Ready() bool { return r.gl.Dead() }

// Get waits for the result and returns it. A panic in the function
// re-panics here with a *green.PanicError carrying its stack; a killed
// greenlet gives ErrTaskKilled.
func (r *Result[Out]) Get() (Out, error) { return r.get(forever) }

// GetTimeout is Get giving up after d (d <= 0: only check) with
// green.ErrTimeout.
func (r *Result[Out]) GetTimeout(d time.Duration) (Out, error) { return r.get(max(d, 0)) }

func (r *Result[Out]) get(d time.Duration) (Out, error) {
	if d < 0 {
		r.gl.Join()
	} else {
		r.gl.JoinTimeout(d)
	}
	if !r.gl.Dead() {
		var zero Out
		return zero, green.ErrTimeout
	}
	if r.t.pan != nil {
		rePanic(r.t.pan)
	}
	if !r.t.returned {
		return r.t.v, killedErr(r.gl)
	}
	return r.t.v, r.t.err
}
