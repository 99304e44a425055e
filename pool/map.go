package pool

import (
	"sync"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// Spawner is what the mapping functions run on: a *Group (unbounded) or a
// *Pool (at most Size functions at once). It is implemented only by this
// package's types.
type Spawner interface {
	group() *Group
}

// Map calls fn on every item concurrently in greenlets that are members of
// s, and returns the results in the order of items (gevent's Pool.map).
//
// Concurrency: on a Pool, Map waits for free slots and keeps at most Size
// worker greenlets, each taking the next unprocessed item when it is done
// with the previous one, so a greenlet is not spawned per item (use Imap
// for that); on an unbounded Group every item gets its own greenlet. fn
// must not assume it runs in a fresh greenlet.
//
// Errors: after the first failure no new item is started; the items
// already running finish (they are not killed); Map then returns the
// results (the zero value where fn failed or did not run) and the error of
// the lowest-index item that failed, which does not depend on timing. A
// panic in fn re-panics in the caller, once every worker has finished,
// with a *green.PanicError that carries the worker's stack.
//
// Map waits as Spawn does: a greenlet parks, a plain goroutine blocks. If
// the calling greenlet is killed (or its green.Timeout expires) while it
// waits, the workers are killed and awaited before the interrupt goes on.
// Calling Map on a full Pool from one of its own members deadlocks, as it
// does in gevent.
//
// Cost: per item, an index increment under a mutex and the call; per
// worker, one greenlet and one membership.
func Map[In, Out any](s Spawner, items []In, fn func(In) (Out, error)) ([]Out, error) {
	g := groupOf(s)
	if g == nil || fn == nil {
		return nil, ErrNilFunc
	}
	if len(items) == 0 {
		return []Out{}, nil
	}
	if green.Current() == nil {
		// A plain goroutine would feed the workers through a Post round
		// trip each: drive the map from a greenlet of the hub instead.
		t := &task[struct{}, []Out]{fn: func(struct{}) ([]Out, error) { return Map(s, items, fn) }}
		gl := green.NewOn(g.spawnHub(), t.run)
		gl.Start()
		gl.Join()
		if t.pan != nil {
			rePanic(t.pan)
		}
		if !t.returned {
			return make([]Out, len(items)), killedErr(gl)
		}
		return t.v, t.err
	}
	out := make([]Out, len(items))
	r := &mapRun[In, Out]{items: items, fn: fn, out: out, errIdx: -1}
	r.exitFn = r.exited
	h := g.spawnHub()
	finished := false
	defer func() {
		if !finished { // interrupted: take the workers down with us
			r.mu.Lock()
			ws := r.workers
			r.mu.Unlock()
			green.KillAll(ws...)
		}
	}()
	for r.more() {
		g.acquire(forever)
		r.mu.Lock()
		if r.live >= len(items)-r.next || r.failed {
			r.mu.Unlock()
			g.release()
			break
		}
		r.live++
		gl := green.NewOn(h, r.work)
		r.workers = append(r.workers, gl)
		r.mu.Unlock()
		g.add(gl, true, r.exitFn)
		gl.Start()
	}
	r.waitWorkers(h)
	finished = true
	if r.pan != nil {
		rePanic(r.pan)
	}
	return out, r.err
}

// mapRun is the shared state of one Map call.
type mapRun[In, Out any] struct {
	items  []In
	fn     func(In) (Out, error)
	out    []Out
	exitFn func(*green.Greenlet)

	mu      sync.Mutex
	next    int // next item to hand out
	live    int // workers started and not finished
	failed  bool
	errIdx  int
	err     error
	pan     *panics.Recovered
	w       *waiter // the caller, waiting for live == 0
	workers []*green.Greenlet
}

// more reports whether another worker is wanted: more items are left
// than live workers to take them.
func (r *mapRun[In, Out]) more() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live < len(r.items)-r.next && !r.failed
}

// take hands out the next item index, or -1 when there is none or a
// failure stopped the run.
func (r *mapRun[In, Out]) take() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed || r.next >= len(r.items) {
		return -1
	}
	r.next++
	return r.next - 1
}

// fail records the failure of item i; the lowest index wins.
func (r *mapRun[In, Out]) fail(i int, err error, pan *panics.Recovered) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	if pan != nil && r.pan == nil {
		r.pan = pan
	}
	if err != nil && (r.errIdx < 0 || i < r.errIdx) {
		r.errIdx, r.err = i, err
	}
}

// work is the body of a worker greenlet.
func (r *mapRun[In, Out]) work() {
	cur := -1
	defer func() {
		if p := recover(); p != nil {
			if isInterrupt(p) {
				r.fail(max(cur, len(r.items)), ErrTaskKilled, nil)
				panic(p)
			}
			r.fail(cur, nil, recovered(p))
		}
	}()
	for {
		cur = r.take()
		if cur < 0 {
			return
		}
		v, err := r.fn(r.items[cur])
		r.out[cur] = v
		if err != nil {
			r.fail(cur, err, nil)
		}
	}
}

// exited runs in the hub loop when a worker has finished.
func (r *mapRun[In, Out]) exited(*green.Greenlet) {
	r.mu.Lock()
	r.live--
	var w *waiter
	if r.live == 0 {
		w, r.w = r.w, nil
	}
	r.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

func (r *mapRun[In, Out]) waitWorkers(h *hub.Hub) {
	for {
		r.mu.Lock()
		if r.live == 0 {
			r.mu.Unlock()
			return
		}
		w := newWaiter()
		r.w = w
		r.mu.Unlock()
		if w.Wait(forever, h) == hub.Interrupted {
			r.mu.Lock()
			r.w = nil
			r.mu.Unlock()
			w.Raise()
		}
	}
}

// recovered captures a user panic value with the current stack; a value
// that already carries a stack (a panic re-raised by this package) keeps
// the original one.
func recovered(p any) *panics.Recovered {
	if e, ok := p.(*panics.ErrRecovered); ok {
		return &e.Recovered
	}
	rec := panics.NewRecovered(2, p)
	return &rec
}
