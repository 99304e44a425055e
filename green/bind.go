package green

import (
	"sync/atomic"

	"github.com/greenrt/green/hub"
)

// binding ties a coordination primitive to the hub that owns its state.
//
// A primitive is bound lazily to the hub of the first greenlet (or hub
// callback) that uses it, or to hub.Default() when a plain goroutine uses it
// first; BindHub binds it explicitly. All its state is then touched only on
// that hub, so greenlets of that hub use it without locks or atomics
// (besides one atomic load of the binding), and everybody else goes
// through the hub:
//
//   - plain goroutines run calls that cannot block with hub.Hub.Call, and
//     calls that must wait in a proxy greenlet on the owner hub, waiting
//     for it like Greenlet.Get (so a deadlock of the hub fails their wait
//     with ErrDeadlock instead of hanging);
//   - greenlets of another hub run every call in a proxy greenlet and park
//     until it is done (a kill or Timeout interrupts them and the proxy's
//     effect is undone when possible);
//   - callbacks of another hub's loop run calls that cannot block with
//     hub.Hub.Call, and panic with hub.ErrNotCoroutine on calls that must
//     wait.
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
// loop). ch is the caller's own hub (nil in a plain goroutine).
func (b *binding) where() (g *hub.G, h *hub.Hub, local bool) {
	h = b.hb.Load()
	if h != nil {
		// Fast path: a greenlet of the owner hub (two loads and a
		// compare, without scanning the running hubs).
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

// remote runs op on h for a caller that is not on h (see binding). mayWait
// says whether op can park; undo, if not nil, gives op's result back to the
// object when the calling greenlet was interrupted after op succeeded; it
// runs on h (in a link of the proxy) and must not park.
func remote[R any](h *hub.Hub, g *hub.G, mayWait bool, op func() (R, error), undo func(R)) (R, error) {
	var zero R
	if g == nil {
		_, ch := hub.Current()
		if !mayWait {
			var r R
			var err error
			if h.Call(func() { r, err = op() }) != nil {
				return zero, ErrHubStopped
			}
			return r, err
		}
		if ch != nil {
			panic(hub.ErrNotCoroutine)
		}
	}
	p := NewOn(h, func() (any, error) {
		r, err := op()
		if err != nil {
			return nil, err
		}
		return r, nil
	})
	p.SetName("proxy")
	p.Start()
	finished := false
	if g != nil && undo != nil {
		defer func() {
			if finished {
				return
			}
			p.KillWith(KillOptions{NoWait: true})
			p.RawLink(func(p *Greenlet) {
				if p.Err() == nil && !p.Killed() {
					r, _ := p.Value().(R) // a nil value is R's zero value
					undo(r)
				}
			})
		}()
	} else if g != nil {
		defer func() {
			if !finished {
				p.KillWith(KillOptions{NoWait: true})
			}
		}()
	}
	v, err := p.Get()
	finished = true
	if err != nil {
		return zero, err
	}
	r, _ := v.(R)
	return r, nil
}

// rawLinks are callbacks run on the owner hub when an object becomes
// ready; Wait and IWait use them. Hub-owned.
type rawLinks struct {
	fns []rawLink
	id  uint32
}

type rawLink struct {
	id uint32
	fn func()
}

func (l *rawLinks) add(fn func()) uint32 {
	l.id++
	l.fns = append(l.fns, rawLink{l.id, fn})
	return l.id
}

func (l *rawLinks) remove(id uint32) {
	for i := range l.fns {
		if l.fns[i].id == id {
			l.fns = append(l.fns[:i], l.fns[i+1:]...)
			l.fns[len(l.fns):cap(l.fns)][0] = rawLink{}
			return
		}
	}
}

// fire calls every link; links stay registered until removed.
func (l *rawLinks) fire() {
	for i := 0; i < len(l.fns); i++ {
		l.fns[i].fn()
	}
}
