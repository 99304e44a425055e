package netwrap

import (
	"sync/atomic"

	"github.com/greenrt/green/hub"
)

// offload runs fn on a new plain goroutine while the calling greenlet parks,
// and returns fn's results; the hub keeps running other greenlets. It holds
// the hub (hub.Hold) meanwhile, so that deadlock detection knows a wake-up
// is coming. A kill or timeout interrupting the wait is raised at once; fn
// keeps running to completion on its goroutine and its results are
// dropped. In a plain goroutine it simply calls fn; in a hub callback it
// panics with hub.ErrNotCoroutine.
//
// It is netwrap's only bridge to blocking code (name resolution), kept
// self-contained so that it can be replaced by the pool package's Offload
// once that exists. Cost: one goroutine, one Post and a few allocations
// per call.
func offload[T any](fn func() (T, error)) (T, error) {
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			panic(hub.ErrNotCoroutine)
		}
		return fn()
	}
	var (
		v    T
		err  error
		done atomic.Bool
	)
	seq := g.Seq()
	release := h.Hold()
	go func() {
		rv, rerr := fn()
		h.Post(func() { // fails only when the hub stopped, which woke g
			v, err = rv, rerr
			done.Store(true)
			g.Wake(seq)
		})
		release()
	}()
	for !done.Load() {
		if g.Park(-1) == hub.Interrupted {
			release()
			g.Raise()
		}
	}
	return v, err
}
