package threadpool

import (
	"context"
	"runtime"

	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// Call runs fn on the Default pool and returns its results: the caller, a
// greenlet, parks meanwhile, or a plain goroutine blocks. See CallOn.
func Call[T any](fn func() (T, error)) (T, error) {
	if fn == nil {
		var zero T
		return zero, ErrNilFunc
	}
	return CallOn(Default(), context.Background(), func(context.Context) (T, error) { return fn() })
}

// CallContext runs fn on the Default pool with a context that is cancelled
// when ctx is, or when the caller stops waiting. See CallOn. It is what
// name resolution uses:
//
//	addrs, err := threadpool.CallContext(ctx, func(ctx context.Context) ([]string, error) {
//		return net.DefaultResolver.LookupHost(ctx, host)
//	})
func CallContext[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	return CallOn(Default(), ctx, fn)
}

// Do runs fn, which returns nothing, on the Default pool and waits for it:
// the shortest way to say "this blocks; do not block the hub with it".
// It returns ErrClosed only for a closed pool, never for the Default one.
//
//	threadpool.Do(func() { time.Sleep(time.Second) }) // the hub runs on
func Do(fn func()) error {
	if fn == nil {
		return ErrNilFunc
	}
	_, err := CallOn(Default(), context.Background(), func(context.Context) (struct{}, error) {
		fn()
		return struct{}{}, nil
	})
	return err
}

// CallOn runs fn(ctx') on one of p's goroutines and returns its value and
// error; a panic in fn re-panics in the caller with a *green.PanicError
// carrying the goroutine's stack.
//
// From a greenlet, the greenlet parks while fn runs (its hub runs the
// others and is held, hub.Hold, so that its deadlock detection does not
// fire); from a plain goroutine, the goroutine blocks. From a hub callback
// it panics with hub.ErrNotCoroutine.
//
// ctx' derives from ctx and is cancelled when the caller stops waiting. If
// ctx ends first, CallOn returns ctx.Err() at once. If the waiting greenlet
// is killed or its green.Timeout expires, the interrupt goes on at once. In
// both cases fn keeps running on its goroutine (which returns to the pool
// when fn returns) and its results are dropped; a call still queued when
// its caller gives up is dropped without running. It fails with ErrClosed
// after p.Close, and with an error for a nil p or fn.
func CallOn[T any](p *Pool, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if p == nil || fn == nil {
		return zero, ErrNilFunc
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &call[T]{fn: fn, ctx: cctx}
	c.w.Prepare() // panics in a hub callback
	if g := c.w.G(); g != nil {
		c.release = g.Hub().Hold()
		defer c.release()
	}
	if err := p.submit(c); err != nil {
		return zero, err
	}
	if g := c.w.G(); g != nil && !g.Hub().HasReady() {
		// The hand-off made the pool goroutine runnable on this
		// thread's P, where it would wait while the hub sleeps in the
		// poller until another thread steals it: two cross-thread
		// wake-ups per call (about 10 µs here instead of 2). Yielding the
		// thread lets it start at once. A hub with other greenlets ready
		// does not yield: it would only delay them (measured with 200
		// greenlets offloading gRPC calls: 1.4-2.8x slower with the
		// yield, hub gaps up to 200 ms).
		runtime.Gosched()
	}
	stop := context.AfterFunc(ctx, func() { c.w.Fail(ctx.Err()) })
	defer stop()
	switch c.w.Wait(-1, nil) {
	case hub.Interrupted:
		cancel()
		c.w.Raise()
	}
	if err := c.w.Err(); err != nil && c.pan == nil && !c.done {
		return zero, err // ctx ended first
	}
	if c.pan != nil {
		panic(&panics.ErrRecovered{Recovered: *c.pan})
	}
	return c.v, c.err
}

// call is one offloaded function call and the way back to its caller.
type call[T any] struct {
	w       hub.Waiter
	fn      func(context.Context) (T, error)
	ctx     context.Context
	release func()

	// Written by the pool goroutine between Claim and Wake.
	v    T
	err  error
	pan  *panics.Recovered
	done bool
}

// exec runs on a pool goroutine. A call whose caller gave up before it
// started is not run.
func (c *call[T]) exec() {
	if c.ctx.Err() != nil || !c.w.Waiting() {
		return
	}
	var catcher panics.Catcher
	var v T
	var err error
	catcher.Try(func() { v, err = c.fn(c.ctx) })
	if c.w.Claim() {
		c.v, c.err, c.pan, c.done = v, err, catcher.Recovered(), true
		c.w.Wake()
	}
}
