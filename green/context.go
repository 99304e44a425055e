package green

import (
	"context"

	"github.com/greenrt/green/hub"
)

// Contexts.
//
// Every greenlet has a context.Context (Greenlet.Context, or Context from
// inside it), created on first use so that a greenlet that never asks for
// one pays nothing. It is cancelled when the greenlet is killed (its cause
// is the *KillError), when it dies (the cause is its error, or
// context.Canceled for a success) and so when its hub stops
// (ErrHubStopped): a library given green.Context() stops when the greenlet
// is killed.
//
// The waiting calls that Go users expect to take a context have an
// XContext form (Semaphore.AcquireContext, Lock.AcquireContext,
// Queue.GetContext and PutContext, Channel.GetContext and PutContext,
// Event.WaitContext, AsyncResult.GetContext, Greenlet.JoinContext,
// Task.GetContext): the wait ends with ctx.Err() when ctx is done first,
// having consumed nothing (as a timeout). SpawnContext spawns a greenlet
// that is killed when a context ends.

// Context returns the calling greenlet's context (see Greenlet.Context),
// or context.Background() outside a greenlet.
func Context() context.Context {
	if gl := Current(); gl != nil {
		return gl.Context()
	}
	return context.Background()
}

// Context returns the greenlet's context: cancelled when the greenlet is
// killed or dies (and so when its hub stops), carrying the values of the
// context given to SpawnContext. Safe from any goroutine; the first call
// creates it (from elsewhere than the greenlet's hub, through a call
// posted to that hub). Asked from elsewhere for a greenlet of a hub that
// was never started, it returns a context cancelled with cause
// ErrNotStarted (nothing could answer; the greenlet cannot run).
func (gl *Greenlet) Context() context.Context {
	if gl == nil {
		return context.Background()
	}
	h := gl.g.Hub()
	if h.OnHub() {
		return gl.contextOnHub()
	}
	if !h.Started() {
		// Nothing runs the hub to answer (a wait would never end): the
		// greenlet cannot run either, so its context is over, like a
		// plain goroutine's Join of it (ErrNotStarted).
		return cancelledContext(ErrNotStarted)
	}
	var c context.Context
	if ask(h, func() error { c = gl.contextOnHub(); return nil }) != nil {
		return cancelledContext(ErrHubStopped)
	}
	return c
}

// cancelledContext returns a context cancelled with cause.
func cancelledContext(cause error) context.Context {
	c, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	return c
}

func (gl *Greenlet) contextOnHub() context.Context {
	x := gl.extra()
	if x.ctx == nil {
		parent := x.parent
		if parent == nil {
			parent = context.Background()
		}
		x.ctx, x.cancel = context.WithCancelCause(parent)
		if gl.state.Load() == stDead {
			x.cancel(gl.deathCause())
		}
	}
	return x.ctx
}

// deathCause is the cause of a dead greenlet's cancelled context.
func (gl *Greenlet) deathCause() error {
	switch {
	case gl.failed:
		return gl.fn.(error)
	case gl.killed:
		return ErrGreenletExit
	}
	return context.Canceled
}

// contextDone cancels the greenlet's context and stops following its
// parent's, as it dies. Hub-only.
func (gl *Greenlet) contextDone() {
	x := gl.x
	if x.cancel != nil {
		x.cancel(gl.deathCause())
	}
	if x.stopParent != nil {
		x.stopParent()
		x.stopParent = nil
	}
}

// SpawnContext is Spawn of a greenlet that is killed, with ctx.Err() as
// its error, when ctx ends (at once, without running, if it has ended
// already). Its Context derives from ctx. Following ctx costs a
// context.AfterFunc registration, dropped when the greenlet dies.
//
//go:noinline
func SpawnContext(ctx context.Context, fn any, args ...any) *Greenlet {
	gl := newAt(callerPC(), nil, fn, args)
	if ctx == nil || ctx.Done() == nil {
		gl.Start()
		return gl
	}
	x := gl.extra()
	x.parent = ctx
	gl.onHub(func() {
		if gl.state.Load() != stNew {
			return
		}
		if err := ctx.Err(); err != nil {
			gl.killOnHub(&KillError{Err: err})
			return
		}
		x.stopParent = context.AfterFunc(ctx, func() {
			gl.KillWith(KillOptions{Err: ctx.Err(), NoWait: true})
		})
		gl.startNow()
	})
	return gl
}

// ctxSignal is the interrupt that ends a wait whose context is done.
type ctxSignal struct {
	g      *hub.G
	active bool // the wait is in progress; hub-owned
}

func ctxInterrupt(arg any) {
	s := arg.(*ctxSignal)
	if s.active && s.g.PendingInterrupt() == nil && !s.g.Dead() {
		s.g.Interrupt(s)
	}
}

// ctxWait runs fn, a wait, so that it ends with ctx.Err() once ctx is
// done. In a greenlet, the end of ctx interrupts the park (as a Timeout
// does: what the wait was about to take is given back); a plain goroutine
// waits through a proxy greenlet of h. While it waits the greenlet's hub
// is held (see hub.Hub.Hold): a context is ended from outside.
func ctxWait(ctx context.Context, h *hub.Hub, fn func() error) (err error) {
	if ctx == nil || ctx.Done() == nil {
		return fn()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	g, ch := blockingCaller()
	if g == nil {
		if h == nil {
			h = hub.Default()
		}
		p := SpawnOn(h, func() error { return ctxWait(ctx, h, fn) })
		p.SetName("context wait")
		return p.Join()
	}
	sig := &ctxSignal{g: g, active: true}
	release := ch.Hold()
	stop := context.AfterFunc(ctx, func() { ch.PostArg(ctxInterrupt, sig) })
	defer func() {
		stop()
		release()
		sig.active = false
		g.ClearInterrupt(sig)
		if r := recover(); r != nil {
			if r != any(sig) {
				panic(r)
			}
			err = ctx.Err()
		}
	}()
	return fn()
}

// JoinContext is Join that gives up with ctx.Err() when ctx ends first
// (the greenlet goes on).
func (gl *Greenlet) JoinContext(ctx context.Context) error {
	if gl == nil {
		return ErrNilGreenlet
	}
	if err := ctxWait(ctx, gl.g.Hub(), func() error { return gl.waitDead(forever) }); err != nil {
		return err
	}
	return gl.Err()
}

// GetContext is Get that gives up with ctx.Err() when ctx ends first.
func (t *Task[T]) GetContext(ctx context.Context) (T, error) {
	if err := ctxWait(ctx, t.g.Hub(), func() error { return t.waitDead(forever) }); err != nil {
		var zero T
		return zero, err
	}
	return t.Value(), t.Err()
}

// AcquireContext is Acquire that gives up with ctx.Err() when ctx ends
// first, without a permit.
func (s *Semaphore) AcquireContext(ctx context.Context) error {
	return ctxWait(ctx, s.Hub(), s.Acquire)
}

// AcquireContext is Acquire that gives up with ctx.Err() when ctx ends
// first, without the lock.
func (l *Lock) AcquireContext(ctx context.Context) error {
	return ctxWait(ctx, l.Hub(), l.Acquire)
}

// WaitContext is Wait that gives up with ctx.Err() when ctx ends first.
func (e *Event) WaitContext(ctx context.Context) error {
	return ctxWait(ctx, e.Hub(), e.Wait)
}

// GetContext is Get that gives up with ctx.Err() when ctx ends first.
func (r *AsyncResult) GetContext(ctx context.Context) (any, error) {
	var v any
	err := ctxWait(ctx, r.Hub(), func() (err error) { v, err = r.Get(); return err })
	return v, err
}

// GetContext is Get that gives up with ctx.Err() when ctx ends first,
// taking no item.
func (q *queue[T, K]) GetContext(ctx context.Context) (T, error) {
	var v T
	err := ctxWait(ctx, q.Hub(), func() (err error) { v, err = q.Get(); return err })
	return v, err
}

// PutContext is Put that gives up with ctx.Err() when ctx ends first,
// without putting v.
func (q *queue[T, K]) PutContext(ctx context.Context, v T) error {
	return ctxWait(ctx, q.Hub(), func() error { return q.Put(v) })
}

// GetContext is Get that gives up with ctx.Err() when ctx ends first.
func (c *Channel[T]) GetContext(ctx context.Context) (T, error) { return c.q.GetContext(ctx) }

// PutContext is Put that gives up with ctx.Err() when ctx ends first,
// handing v to nobody.
func (c *Channel[T]) PutContext(ctx context.Context, v T) error {
	return ctxWait(ctx, c.q.Hub(), func() error { return c.Put(v) })
}
