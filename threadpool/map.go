package threadpool

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// Map runs fn on every item on p's goroutines, at most Size at once, while
// the caller parks (or blocks), and returns the results in the order of
// items (gevent's ThreadPool.map). The first failure, in the order of
// items, is returned with the results; it cancels the context given to the
// calls not yet started, which are then skipped. A panic re-panics in the
// caller with the goroutine's stack. A kill of the caller cancels every
// call, as for CallOn.
func Map[In, Out any](p *Pool, ctx context.Context, items []In, fn func(context.Context, In) (Out, error)) ([]Out, error) {
	if p == nil || fn == nil {
		return nil, ErrNilFunc
	}
	out := make([]Out, len(items))
	var firstErr error
	for r := range imap(p, ctx, items, fn, true) {
		out[r.i] = r.v
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
	}
	return out, firstErr
}

// Imap is Map yielding each result as soon as it and every earlier one are
// ready (gevent's ThreadPool.imap). Stopping the loop early cancels the
// calls still queued or running.
func Imap[In, Out any](p *Pool, ctx context.Context, items []In, fn func(context.Context, In) (Out, error)) iter.Seq2[Out, error] {
	return seq2(p, ctx, items, fn, true)
}

// ImapUnordered is Imap yielding results in the order the calls end
// (gevent's ThreadPool.imap_unordered).
func ImapUnordered[In, Out any](p *Pool, ctx context.Context, items []In, fn func(context.Context, In) (Out, error)) iter.Seq2[Out, error] {
	return seq2(p, ctx, items, fn, false)
}

func seq2[In, Out any](p *Pool, ctx context.Context, items []In, fn func(context.Context, In) (Out, error), ordered bool) iter.Seq2[Out, error] {
	return func(yield func(Out, error) bool) {
		if p == nil || fn == nil {
			var zero Out
			yield(zero, ErrNilFunc)
			return
		}
		for r := range imap(p, ctx, items, fn, ordered) {
			if !yield(r.v, r.err) {
				return
			}
		}
	}
}

// mapped is one call's outcome.
type mapped[Out any] struct {
	i   int
	v   Out
	err error
	pan *panics.Recovered
}

// mapRun is the shared state of a Map or an Imap: the pool goroutines
// record outcomes under mu (held for a few instructions, never across a
// wait) and wake the consumer.
type mapRun[Out any] struct {
	mu      sync.Mutex
	results []mapped[Out]
	ready   []bool
	pending []int // unordered: indices in completion order
	w       *hub.Waiter
	cancel  context.CancelFunc
}

func (r *mapRun[Out]) record(m mapped[Out]) {
	r.mu.Lock()
	r.results[m.i], r.ready[m.i] = m, true
	r.pending = append(r.pending, m.i)
	w := r.w
	r.w = nil
	r.mu.Unlock()
	if w != nil {
		w.Notify()
	}
	if m.err != nil || m.pan != nil {
		r.cancel() // later calls are skipped
	}
}

// next waits for the result due next and returns it; ok is false once
// every result was returned. A kill of the waiting greenlet unwinds it.
func (r *mapRun[Out]) next(ordered bool, done *int) (mapped[Out], bool) {
	for {
		r.mu.Lock()
		switch {
		case *done == len(r.results):
			r.mu.Unlock()
			return mapped[Out]{}, false
		case ordered && r.ready[*done]:
			m := r.results[*done]
			*done++
			r.mu.Unlock()
			return m, true
		case !ordered && len(r.pending) > *done:
			m := r.results[r.pending[*done]]
			*done++
			r.mu.Unlock()
			return m, true
		}
		w := new(hub.Waiter)
		w.Prepare()
		r.w = w
		r.mu.Unlock()
		if w.Wait(-1, nil) == hub.Interrupted {
			r.mu.Lock()
			r.w = nil
			r.mu.Unlock()
			w.Raise()
		}
	}
}

// imap submits every item and yields the outcomes; it holds the caller's
// hub while calls are out, and cancels what is left when the loop ends.
func imap[In, Out any](p *Pool, ctx context.Context, items []In, fn func(context.Context, In) (Out, error), ordered bool) iter.Seq[mapped[Out]] {
	return func(yield func(mapped[Out]) bool) {
		if ctx == nil {
			ctx = context.Background()
		}
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		r := &mapRun[Out]{results: make([]mapped[Out], len(items)), ready: make([]bool, len(items)), cancel: cancel}
		if g, ch := hub.Current(); g != nil {
			defer ch.Hold()()
		} else if ch != nil {
			panic(hub.ErrNotCoroutine)
		}
		for i, item := range items {
			j := &mapJob[In, Out]{r: r, ctx: cctx, i: i, in: item, fn: fn}
			if err := p.submit(j); err != nil {
				r.record(mapped[Out]{i: i, err: err})
			}
		}
		done := 0
		for {
			m, ok := r.next(ordered, &done)
			if !ok {
				return
			}
			if m.pan != nil {
				panic(&panics.ErrRecovered{Recovered: *m.pan})
			}
			if !yield(m) {
				return
			}
		}
	}
}

// mapJob is one item's call.
type mapJob[In, Out any] struct {
	r   *mapRun[Out]
	ctx context.Context
	i   int
	in  In
	fn  func(context.Context, In) (Out, error)
}

func (j *mapJob[In, Out]) exec() {
	if err := j.ctx.Err(); err != nil {
		j.r.record(mapped[Out]{i: j.i, err: err})
		return
	}
	var catcher panics.Catcher
	var v Out
	var err error
	catcher.Try(func() { v, err = j.fn(j.ctx, j.in) })
	j.r.record(mapped[Out]{i: j.i, v: v, err: err, pan: catcher.Recovered()})
}

// Result is the outcome of Submit, gevent's apply_async: a call running
// on the pool while the submitter goes on. Its methods are safe from any
// goroutine; the waiting ones park a greenlet and block a plain goroutine.
// The pool goroutine that finishes the call never waits for anybody: it
// wakes the waiters through their hub.Waiter, so a wedged hub cannot hold
// it.
type Result[T any] struct {
	mu      sync.Mutex // guards ready and waiters; never held across a wait
	ready   bool
	waiters []*hub.Waiter
	v       T
	err     error
	pan     *panics.Recovered
}

// Submit starts fn on p and returns at once (gevent's
// ThreadPool.apply_async, spawn). The call's context is ctx (nil:
// context.Background()). Submit never waits: a full pool queues the call.
func Submit[T any](p *Pool, ctx context.Context, fn func(context.Context) (T, error)) *Result[T] {
	r := new(Result[T])
	if p == nil || fn == nil {
		r.finish(*new(T), ErrNilFunc, nil)
		return r
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := p.submit(&submitted[T]{r: r, ctx: ctx, fn: fn}); err != nil {
		r.finish(*new(T), err, nil)
	}
	return r
}

type submitted[T any] struct {
	r   *Result[T]
	ctx context.Context
	fn  func(context.Context) (T, error)
}

func (s *submitted[T]) exec() {
	var catcher panics.Catcher
	var v T
	var err error
	catcher.Try(func() { v, err = s.fn(s.ctx) })
	s.r.finish(v, err, catcher.Recovered())
}

// finish records the outcome and wakes every waiter.
func (r *Result[T]) finish(v T, err error, pan *panics.Recovered) {
	r.mu.Lock()
	r.v, r.err, r.pan, r.ready = v, err, pan, true
	ws := r.waiters
	r.waiters = nil
	r.mu.Unlock()
	for _, w := range ws {
		w.Notify()
	}
}

// Ready reports whether the call has returned.
func (r *Result[T]) Ready() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready
}

// Get waits until the call has returned and returns its results; a panic
// re-panics here with the goroutine's stack.
func (r *Result[T]) Get() (T, error) { return r.get(-1) }

// GetTimeout is Get giving up after d (d <= 0: only check) with
// hub.ErrTimeout; the call goes on.
func (r *Result[T]) GetTimeout(d time.Duration) (T, error) { return r.get(max(d, 0)) }

func (r *Result[T]) get(d time.Duration) (T, error) {
	r.mu.Lock()
	if !r.ready && d != 0 {
		w := new(hub.Waiter)
		w.Prepare()
		r.waiters = append(r.waiters, w)
		r.mu.Unlock()
		if g := w.G(); g != nil {
			defer g.Hub().Hold()() // a pool goroutine will wake it
		}
		res := w.Wait(d, nil)
		r.mu.Lock()
		if res != hub.Woken {
			for i, x := range r.waiters {
				if x == w {
					r.waiters = append(r.waiters[:i], r.waiters[i+1:]...)
					break
				}
			}
		}
		if res == hub.Interrupted {
			r.mu.Unlock()
			w.Raise()
		}
	}
	ready, v, err, pan := r.ready, r.v, r.err, r.pan
	r.mu.Unlock()
	if !ready {
		var zero T
		return zero, hub.ErrTimeout
	}
	if pan != nil {
		panic(&panics.ErrRecovered{Recovered: *pan})
	}
	return v, err
}
