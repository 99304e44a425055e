// Package offload is the one place where the cooperative packages under
// netwrap (greenos, greenexec, greenselect, greensignal) hand blocking
// calls to a thread pool, so that moving the thread pool (out of package
// pool) means editing this file only.
//
// Three ways to wait, by what an interrupt (a kill, a green.Timeout) of
// the calling greenlet should do:
//
//   - Run abandons the call: the interrupt goes on at once and the call's
//     context is cancelled (the call keeps running on its goroutine and its
//     result is dropped). For waits of unbounded length.
//   - Keep abandons the call too, and hands a result that arrives after
//     the caller left to a discard function (to close a file that an
//     abandoned open returned).
//   - Complete waits for the call to return before the interrupt goes on,
//     so the call may use the caller's memory (a read buffer) and its
//     effect is never lost. For calls of bounded length (regular-file
//     system calls).
//
// From a plain goroutine each calls fn directly; from a hub callback each
// returns hub.ErrNotCoroutine without calling it.
package offload

import (
	"context"
	"sync"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/threadpool"
)

// caller classifies the calling context: a greenlet (g set), a plain
// goroutine (both nil) or a hub callback (err set).
func caller() (*hub.G, *hub.Hub, error) {
	g, h := hub.Current()
	if g == nil && h != nil {
		return nil, nil, hub.ErrNotCoroutine
	}
	return g, h, nil
}

// Run runs fn on the thread pool while the calling greenlet parks (its hub
// is held meanwhile, so deadlock detection stays quiet), and returns fn's
// results. If ctx is done first, or the greenlet is interrupted, Run
// returns (ctx.Err(), or the interrupt goes on as a panic) at once and the
// context given to fn is cancelled.
func Run[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	g, _, err := caller()
	if err != nil {
		var zero T
		return zero, err
	}
	if g == nil {
		return fn(ctx)
	}
	return threadpool.CallOn(threadpool.Default(), ctx, fn)
}

// Keep is Run for calls that produce a resource: if the caller is
// interrupted before it received fn's result, discard is called with it
// (on the pool goroutine, or on the caller while it unwinds), provided fn
// returned no error.
func Keep[T any](fn func(context.Context) (T, error), discard func(T)) (T, error) {
	g, _, err := caller()
	if err != nil {
		var zero T
		return zero, err
	}
	if g == nil {
		return fn(context.Background())
	}
	k := &kept[T]{discard: discard}
	received := false
	defer func() {
		if !received {
			k.leave()
		}
	}()
	_, err = threadpool.CallOn(threadpool.Default(), context.Background(), func(ctx context.Context) (T, error) {
		v, err := fn(ctx)
		k.deliver(v, err)
		return v, err
	})
	v, ok := k.take()
	received = true
	if !ok {
		var zero T
		return zero, err
	}
	return v, k.err
}

// kept is the hand-over of a Keep result between the pool goroutine and
// the caller. Its mutex is held for a few instructions, never across a
// park.
type kept[T any] struct {
	mu      sync.Mutex
	v       T
	err     error
	has     bool
	gone    bool
	discard func(T)
}

func (k *kept[T]) deliver(v T, err error) {
	k.mu.Lock()
	if k.gone {
		k.mu.Unlock()
		if err == nil && k.discard != nil {
			k.discard(v)
		}
		return
	}
	k.v, k.err, k.has = v, err, true
	k.mu.Unlock()
}

func (k *kept[T]) take() (T, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.v, k.has
	var zero T
	k.v, k.has = zero, false
	return v, ok
}

func (k *kept[T]) leave() {
	k.mu.Lock()
	k.gone = true
	v, has, err := k.v, k.has, k.err
	var zero T
	k.v, k.has = zero, false
	k.mu.Unlock()
	if has && err == nil && k.discard != nil {
		k.discard(v)
	}
}

// Complete runs fn on the thread pool while the calling greenlet parks,
// and returns its results. If the greenlet is interrupted meanwhile, the
// interrupt takes effect only once fn has returned (or is known never to
// start): until then the greenlet stays parked, so fn may read and write
// the caller's buffers. A second interrupt during that wait blocks the
// hub's thread until fn returns and then takes over from the first: use
// Complete only for calls whose length is bounded.
func Complete[T any](fn func() (T, error)) (T, error) {
	g, h, err := caller()
	if err != nil {
		var zero T
		return zero, err
	}
	if g == nil {
		return fn()
	}
	c := &completion{}
	returned := false
	defer func() {
		if !returned {
			c.settle(h)
		}
	}()
	v, err := threadpool.CallOn(threadpool.Default(), context.Background(), func(context.Context) (T, error) {
		if !c.begin() {
			var zero T
			return zero, context.Canceled
		}
		defer c.end()
		return fn()
	})
	returned = true
	return v, err
}

// completion tracks one Complete call on the pool goroutine. Its mutex is
// held for a few instructions, never across a park.
type completion struct {
	mu        sync.Mutex
	started   bool
	ended     bool
	abandoned bool
	w         *green.Waiter
	ch        chan struct{}
}

// begin reports whether fn may run (the caller has not given up on it
// before it started).
func (c *completion) begin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.abandoned {
		return false
	}
	c.started = true
	return true
}

func (c *completion) end() {
	c.mu.Lock()
	c.ended = true
	w, ch := c.w, c.ch
	c.mu.Unlock()
	if ch != nil {
		close(ch)
	}
	if w != nil {
		w.Wake()
	}
}

// settle runs in the interrupted caller, while it unwinds: it returns
// once fn has returned, or at once if fn has not started (it then never
// will).
func (c *completion) settle(h *hub.Hub) {
	c.mu.Lock()
	if !c.started {
		c.abandoned = true
		c.mu.Unlock()
		return
	}
	if c.ended {
		c.mu.Unlock()
		return
	}
	// The interrupt being unwound has been raised, so the greenlet can
	// park again; the hold keeps deadlock detection quiet while the pool
	// goroutine finishes.
	w := green.NewWaiter()
	c.w, c.ch = w, make(chan struct{})
	ch := c.ch
	c.mu.Unlock()
	release := h.Hold()
	defer release()
	if w.Wait(-1, nil) == hub.Interrupted {
		// Another interrupt while waiting: parking would return at
		// once from now on. The call is bounded: wait for it on the
		// thread, then raise the new interrupt, which takes over from
		// the one being unwound (as a panic in a deferred call does).
		<-ch
		w.Raise()
	}
}
