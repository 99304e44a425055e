package green

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Spawn callbacks (gevent's Greenlet.add_spawn_callback).

type spawnCallback struct{ fn func(*Greenlet) }

var (
	spawnMu  sync.Mutex
	spawnCBs atomic.Pointer[[]*spawnCallback] // copy on write
)

// AddSpawnCallback registers fn to run each time a greenlet starts (Spawn,
// Start, a SpawnLater whose delay ran out), on its hub, just before it is
// scheduled, with the new greenlet; gevent's add_spawn_callback. fn must
// not park. The returned function removes it (gevent's
// remove_spawn_callback). A panic in fn is reported to the hub's error
// handler. Cost while none is registered: one atomic load per start.
func AddSpawnCallback(fn func(*Greenlet)) (remove func()) {
	if fn == nil {
		return func() {}
	}
	cb := &spawnCallback{fn}
	spawnMu.Lock()
	defer spawnMu.Unlock()
	var next []*spawnCallback
	if p := spawnCBs.Load(); p != nil {
		next = append(next, *p...)
	}
	next = append(next, cb)
	spawnCBs.Store(&next)
	return func() {
		spawnMu.Lock()
		defer spawnMu.Unlock()
		p := spawnCBs.Load()
		if p == nil {
			return
		}
		var rest []*spawnCallback
		for _, c := range *p {
			if c != cb {
				rest = append(rest, c)
			}
		}
		if len(rest) == 0 {
			spawnCBs.Store(nil)
		} else {
			spawnCBs.Store(&rest)
		}
	}
}

// runSpawnCallbacks runs the spawn callbacks for gl. Hub-only.
func (gl *Greenlet) runSpawnCallbacks(cbs []*spawnCallback) {
	for _, c := range cbs {
		func() {
			defer func() {
				if r := recover(); r != nil {
					gl.g.Hub().ReportError(fmt.Errorf("green: spawn callback panicked: %v", r))
				}
			}()
			c.fn(gl)
		}()
	}
}

// SpawningGreenlet returns the greenlet that created this one if it is
// still alive, or nil (gevent's spawning_greenlet, a weak reference): a
// plain goroutine or a callback created it, it has finished, or tracking
// was off (see TrackGreenletTree; SpawnedBy gives its ID all the same).
// It looks through the live greenlets of the hub: O(live greenlets).
func (gl *Greenlet) SpawningGreenlet() *Greenlet {
	if gl == nil {
		return nil
	}
	id := gl.SpawnedBy()
	if id == 0 {
		return nil
	}
	var found *Greenlet
	find := func() error {
		for _, g := range gl.g.Hub().Coroutines(0) {
			if g.ID() == id {
				found, _ = g.Runner().(*Greenlet)
				break
			}
		}
		return nil
	}
	if h := gl.g.Hub(); h.OnHub() {
		find()
	} else {
		ask(h, find)
	}
	return found
}
