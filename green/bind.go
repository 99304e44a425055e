package green

import (
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// binding ties a coordination primitive to the hub that owns its state.
//
// A primitive is bound lazily to the hub of the first greenlet (or hub
// callback) that uses it, or to hub.Default() when a plain goroutine uses it
// first; BindHub binds it explicitly. All its state is then touched only on
// that hub, so greenlets of that hub use it without locks or atomics
// (besides one atomic load of the binding). Everybody else goes through
// one path, the same for every primitive (give, ask and await below):
//
//   - the call is posted to the owner hub, never run there with a blocking
//     call, so that two hubs using each other's objects cannot wedge;
//   - a caller that waits (or needs an answer) waits through a hub.Waiter:
//     a greenlet of another hub parks (its hub runs the others), a plain
//     goroutine blocks;
//   - a call that gives (Set, Release, Put, TaskDone, Shutdown) happens once
//     posted, even if its caller is interrupted while waiting for the answer;
//   - a waiter that gives up (timeout, kill) withdraws its entry; if a waker
//     had already handed it something (an item, a permit), it gives that
//     back, so nothing is lost;
//   - a callback of another hub's loop, which must never wait, may make the
//     calls that need no answer (they are posted and happen asynchronously);
//     the others panic with hub.ErrNotCoroutine.
type binding struct {
	hb atomic.Pointer[hub.Hub]
}

// BindHub binds the object to h before first use. It fails with
// ErrWrongHub if the object is already bound to another hub (binding to
// the same hub again is a no-op). Safe from any goroutine. Objects are
// otherwise bound to the hub of the greenlet that first uses them, or to
// hub.Default() when a plain goroutine uses them first. BindHub(nil) fails
// with ErrWrongHub. Calls made from outside h wait for h's loop, so h
// must be started (Start or Run) for them to complete; once h has
// stopped they fail with ErrHubStopped.
func (b *binding) BindHub(h *hub.Hub) error {
	if h == nil {
		return ErrWrongHub
	}
	if b.hb.CompareAndSwap(nil, h) || b.hb.Load() == h {
		return nil
	}
	return ErrWrongHub
}

// Hub returns the hub the object is bound to, binding it as a use from the
// caller would.
func (b *binding) Hub() *hub.Hub {
	_, h, _ := b.where()
	return h
}

// where returns the caller's G (nil outside a coroutine), the owner hub
// and whether the caller is on the owner hub (one of its coroutines or its
// loop).
func (b *binding) where() (g *hub.G, h *hub.Hub, local bool) {
	h = b.hb.Load()
	if h != nil {
		// Fast path: a greenlet of the owner hub (two loads and a
		// compare, without looking up the caller's hub).
		if g = h.Current(); g != nil {
			return g, h, true
		}
	}
	g, ch := hub.Current()
	if h == nil {
		h = b.bind(ch)
	}
	return g, h, ch == h
}

func (b *binding) bind(ch *hub.Hub) *hub.Hub {
	if ch == nil {
		ch = hub.Default()
	}
	if b.hb.CompareAndSwap(nil, ch) {
		return ch
	}
	return b.hb.Load()
}

// forever is the timeout of waits without one. Internally a timeout d < 0
// waits without limit, 0 only checks and d > 0 waits at most d; the
// exported XTimeout methods map d <= 0 to 0 (see hub.ErrTimeout for the
// module's convention).
const forever = time.Duration(-1)

// timeoutArg maps an exported XTimeout argument to the internal timeout.
func timeoutArg(d time.Duration) time.Duration { return max(d, 0) }

// answer is a call posted to an owner hub and the way back to its caller.
type answer struct {
	w   hub.Waiter
	fn  func() error
	err error
}

func runAnswer(arg any) {
	a := arg.(*answer)
	a.err = a.fn()
	a.w.Notify()
}

func runDetached(arg any) { arg.(func() error)() }

// giveTo runs fn, a call that must not wait (a giving call: Set, Release, a
// Put with room), on h for a caller that is not on h, and returns fn's
// error. The caller waits for the answer (a greenlet parks, a plain
// goroutine blocks) unless it is a callback of another hub's loop or h was
// never started: then fn is posted and give returns nil at once. Once
// posted, fn runs even if the caller is interrupted meanwhile.
func giveTo(h *hub.Hub, fn func() error) error {
	g, ch := hub.Current()
	if (g == nil && ch != nil) || !h.Started() {
		if h.PostArg(runDetached, fn) != nil {
			return ErrHubStopped
		}
		return nil
	}
	return post(h, fn)
}

// ask runs fn, a query, on h for a caller that is not on h and returns its
// error once it ran. A callback of another hub's loop cannot wait for the
// answer: it panics with hub.ErrNotCoroutine.
func ask(h *hub.Hub, fn func() error) error {
	if g, ch := hub.Current(); g == nil && ch != nil {
		panic(hub.ErrNotCoroutine)
	}
	return post(h, fn)
}

// post posts fn to h and waits for its answer; an interrupt of a waiting
// greenlet is raised (fn still runs).
func post(h *hub.Hub, fn func() error) error {
	a := &answer{fn: fn}
	a.w.Prepare()
	if h.PostArg(runAnswer, a) != nil {
		return ErrHubStopped
	}
	if a.w.Wait(forever, nil) == hub.Interrupted {
		a.w.Raise()
	}
	return a.err
}
