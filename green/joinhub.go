package green

import (
	"sync"
	"sync/atomic"

	"github.com/greenrt/green/hub"
)

// JoinHub waits until the greenlets of h (nil: the caller's hub, or the
// default hub from a plain goroutine) have all finished, but for the
// caller: gevent's wait() with no objects and hub.join(), for the end of a
// main greenlet (see Main) that should let the greenlets it spawned finish.
// Greenlets spawned meanwhile are waited for too. Timers and watchers
// without a greenlet (hub.Hub.AfterFunc) are not waited for.
//
// A greenlet of h parks; anybody else waits through a proxy greenlet on
// h, and a plain goroutine gets ErrDeadlock if the remaining greenlets can
// never finish, ErrHubStopped if h stops. Cost: one atomic load per
// greenlet death while nobody is in JoinHub; each death wakes the joiners
// to look again.
func JoinHub(h *hub.Hub) error {
	g, ch := blockingCaller()
	if h == nil {
		h = ch
		if h == nil {
			h = hub.Default()
		}
	}
	if g != nil && ch == h {
		joinHubLocal(g, h)
		return nil
	}
	p := NewOn(h, func() { g, _ := hub.Current(); joinHubLocal(g, h) })
	p.SetName("JoinHub")
	p.Start()
	return p.Join()
}

// hubJoiners is the number of JoinHub waits in progress: die looks no
// further while it is zero.
var (
	hubJoiners atomic.Int32
	hubJoinMu  sync.Mutex
	hubJoins   = map[*hub.Hub][]*hub.Waiter{}
)

func joinHubLocal(g *hub.G, h *hub.Hub) {
	hubJoiners.Add(1)
	defer hubJoiners.Add(-1)
	for h.Live() > 1 {
		w := new(hub.Waiter)
		w.PrepareLocal(g)
		hubJoinMu.Lock()
		hubJoins[h] = append(hubJoins[h], w)
		hubJoinMu.Unlock()
		g.SetWaitingOn(h, hub.WaitOther)
		if w.Wait(forever, nil) == hub.Interrupted {
			dropHubJoiner(h, w)
			w.Raise()
		}
	}
}

func dropHubJoiner(h *hub.Hub, w *hub.Waiter) {
	hubJoinMu.Lock()
	defer hubJoinMu.Unlock()
	ws := hubJoins[h]
	for i, x := range ws {
		if x == w {
			hubJoins[h] = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(hubJoins[h]) == 0 {
		delete(hubJoins, h)
	}
}

// wakeHubJoiners tells the JoinHub waits of h that a greenlet died: they
// look again once it has ended. Hub-only.
func wakeHubJoiners(h *hub.Hub) {
	hubJoinMu.Lock()
	ws := hubJoins[h]
	delete(hubJoins, h)
	hubJoinMu.Unlock()
	for _, w := range ws {
		w.Notify()
	}
}
