package pool

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
	cpool "github.com/sourcegraph/conc/pool"
)

// DefaultThreadPoolSize is the number of goroutines of the default
// ThreadPool, as gevent's default threadpool maxsize.
const DefaultThreadPoolSize = 10

// ThreadPool runs functions that truly block (file I/O, cgo, CPU-heavy
// work, DNS, libraries with their own goroutines and channels) on real
// goroutines, while the calling greenlet parks and its hub serves the
// others: gevent's ThreadPool. It is built on github.com/sourcegraph/conc:
// a pool.Pool with a maximum number of goroutines runs the calls, and a
// panics.Catcher brings their panics back.
//
// At most Size calls run at once; the others wait in a FIFO queue without
// blocking anyone. Use it through OffloadWith (or Offload and
// OffloadContext on the default pool). The zero value is not usable; use
// NewThreadPool.
//
// Cost: a round trip is a mutex, a channel hand-off to a conc worker
// goroutine, and a Post back to the hub (see BenchmarkOffload). Idle
// goroutines stay parked in the conc pool until Close.
type ThreadPool struct {
	p    *cpool.Pool
	size int

	mu      sync.Mutex
	running int   // calls handed to conc (each drains the queue)
	queue   []job // calls waiting for a goroutine
	closed  bool
}

// job is one offloaded call.
type job interface{ exec() }

// NewThreadPool returns a pool running at most size calls at once on its
// own goroutines (size < 1: DefaultThreadPoolSize).
func NewThreadPool(size int) *ThreadPool {
	if size < 1 {
		size = DefaultThreadPoolSize
	}
	return &ThreadPool{p: cpool.New().WithMaxGoroutines(size), size: size}
}

var defaultThreadPool = sync.OnceValue(func() *ThreadPool { return NewThreadPool(DefaultThreadPoolSize) })

// DefaultThreadPool returns the process-wide thread pool used by Offload
// and OffloadContext (DefaultThreadPoolSize goroutines, created on first
// use, never closed).
func DefaultThreadPool() *ThreadPool { return defaultThreadPool() }

// Size returns the maximum number of calls running at once.
func (tp *ThreadPool) Size() int { return tp.size }

// Close stops accepting calls (they fail with ErrThreadPoolClosed), waits
// until the calls already submitted have returned, and lets the pool's
// goroutines exit. It blocks the caller: call it from a plain goroutine.
// A call still running when its greenlet gave up is waited for too.
func (tp *ThreadPool) Close() {
	tp.mu.Lock()
	if tp.closed {
		tp.mu.Unlock()
		return
	}
	tp.closed = true
	tp.mu.Unlock()
	tp.p.Wait()
}

func (tp *ThreadPool) submit(j job) error {
	tp.mu.Lock()
	if tp.closed {
		tp.mu.Unlock()
		return ErrThreadPoolClosed
	}
	if tp.running >= tp.size {
		tp.queue = append(tp.queue, j)
		tp.mu.Unlock()
		return nil
	}
	tp.running++
	// Fewer than size drains run, so a conc worker is idle, about to be,
	// or can be started: Go hands the call over without waiting for a
	// call to end. Doing it under the lock keeps Close from closing the
	// conc pool in between.
	tp.p.Go(func() { tp.drain(j) })
	tp.mu.Unlock()
	return nil
}

// drain runs j, then the queued calls, on one conc goroutine.
func (tp *ThreadPool) drain(j job) {
	for j != nil {
		j.exec()
		tp.mu.Lock()
		if len(tp.queue) > 0 {
			j = tp.queue[0]
			tp.queue[0] = nil
			tp.queue = tp.queue[1:]
		} else {
			j = nil
			tp.running--
		}
		tp.mu.Unlock()
	}
}

// Offload runs fn on the default ThreadPool and returns its results. See
// OffloadWith.
func Offload[T any](fn func() (T, error)) (T, error) {
	return OffloadWith(DefaultThreadPool(), context.Background(), func(context.Context) (T, error) { return fn() })
}

// OffloadContext runs fn on the default ThreadPool with a context that is
// cancelled when ctx is, or when the caller stops waiting. See
// OffloadWith. It is what name resolution should use:
//
//	addrs, err := pool.OffloadContext(ctx, func(ctx context.Context) ([]string, error) {
//		return net.DefaultResolver.LookupHost(ctx, host)
//	})
func OffloadContext[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	return OffloadWith(DefaultThreadPool(), ctx, fn)
}

// OffloadWith runs fn(ctx') on one of tp's goroutines and returns its
// value and error; a panic in fn re-panics in the caller with a
// *green.PanicError carrying the goroutine's stack.
//
// From a greenlet, the greenlet parks while fn runs (its hub runs the
// others, and a hub.Hold keeps the hub's deadlock detection from firing);
// from a plain goroutine, the goroutine blocks. From a hub callback it
// panics with hub.ErrNotCoroutine.
//
// ctx' derives from ctx and is cancelled when the caller stops waiting. If
// ctx is done first, OffloadWith returns ctx.Err() at once. If the waiting
// greenlet is killed or its green.Timeout expires, the interrupt goes on
// at once. In both cases fn cannot be stopped from outside: it keeps
// running on its goroutine (which is not leaked: it returns to the pool
// when fn returns) and its results are dropped; a fn that honours ctx'
// returns early. A call still queued behind busy goroutines when its
// caller gives up is dropped without running. It fails with
// ErrThreadPoolClosed after tp.Close.
func OffloadWith[T any](tp *ThreadPool, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &call[T]{fn: fn, ctx: cctx}
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			panic(hub.ErrNotCoroutine)
		}
		c.ch = make(chan struct{})
		if err := tp.submit(c); err != nil {
			return zero, err
		}
		select {
		case <-c.ch:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
		return c.result()
	}
	c.g, c.h = g, h
	c.release = h.Hold()
	defer c.release()
	if err := tp.submit(c); err != nil {
		return zero, err
	}
	// The hand-off made the pool goroutine runnable on this thread's P,
	// where it would wait while the hub sleeps in epoll_wait until another
	// thread steals it: two cross-thread wake-ups per call (about 50 µs
	// on a 2-core VM). Yielding the thread lets it start at once; the hub
	// resumes on whichever thread is free next (about 4 µs per round
	// trip, see BenchmarkOffload). Blocking and CPU-heavy calls measured
	// no longer hub stalls with it than without.
	runtime.Gosched()
	stop := context.AfterFunc(ctx, c.wake)
	defer stop()
	for !c.done.Load() {
		c.seq, c.parked = g.Seq(), true
		res := g.Park(-1)
		c.parked = false
		if res == hub.Interrupted {
			cancel()
			g.Raise()
		}
		if !c.done.Load() && ctx.Err() != nil {
			return zero, ctx.Err()
		}
	}
	return c.result()
}

// call is one offloaded function call and the way back to its caller.
type call[T any] struct {
	fn  func(context.Context) (T, error)
	ctx context.Context
	v   T
	err error
	pan *panics.Recovered

	done    atomic.Bool
	ch      chan struct{} // plain goroutine caller
	g       *hub.G        // greenlet caller
	h       *hub.Hub
	release func()
	seq     uint32 // hub-only: the park to wake, valid while parked
	parked  bool   // hub-only
}

// exec runs on a pool goroutine. A call whose caller gave up before it
// started is not run.
func (c *call[T]) exec() {
	if err := c.ctx.Err(); err != nil {
		c.err = err
	} else {
		var catcher panics.Catcher
		catcher.Try(func() { c.v, c.err = c.fn(c.ctx) })
		c.pan = catcher.Recovered()
	}
	c.done.Store(true)
	if c.ch != nil {
		close(c.ch)
		return
	}
	c.wake()
}

// wake posts the wake-up of the greenlet, then lets go of the hold. The
// posted function reads which park to wake on the hub, so a wake-up that
// arrives when the greenlet does not wait for it is dropped instead of
// waking an unrelated later park.
func (c *call[T]) wake() {
	if c.h.Post(c.wakeOnHub) != nil {
		c.release()
	}
}

func (c *call[T]) wakeOnHub() {
	if c.parked {
		c.g.Wake(c.seq)
	}
	c.release()
}

func (c *call[T]) result() (T, error) {
	if c.pan != nil {
		rePanic(c.pan)
	}
	return c.v, c.err
}
