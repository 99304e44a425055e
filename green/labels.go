package green

import (
	"context"
	"runtime/pprof"
	"sync"
	"sync/atomic"
)

// Profile labels: a greenlet owns its hub's worker goroutine while it
// lives, so the labels are set on that goroutine once, when the greenlet
// starts, not at every switch (BenchmarkLabels measures both). Every
// worker goroutine carries "hub" = its hub's name; a greenlet with a name
// adds "greenlet" = that name for its lifetime. CPU profiles
// (go tool pprof -tagfocus greenlet=...) and goroutine dumps
// (/debug/pprof/goroutine?debug=1) then say which greenlet ran.

var labelsOff atomic.Bool

// SetProfileLabels turns the "greenlet" profile label of named greenlets
// on or off for greenlets started from now on, and returns the previous
// setting. It is on by default: a named greenlet's start costs a cache
// lookup of its label set and one runtime call; unnamed greenlets carry
// only their hub's label and cost nothing. Safe from any goroutine.
func SetProfileLabels(on bool) (was bool) { return !labelsOff.Swap(!on) }

// labelSets caches the label context of each (hub, name), so that
// greenlets that share a name (a handler per connection) share one.
var (
	labelSets  sync.Map // labelKey -> context.Context
	labelCount atomic.Int32
)

type labelKey struct {
	hub  uint64 // the hub's ID: the cache must not keep stopped hubs alive
	name string
}

// maxLabelSets bounds the cache: names beyond it get a fresh context at
// each start.
const maxLabelSets = 4096

// profileLabels returns the labels gl's goroutine should carry while gl
// runs, or nil to keep the hub's.
func (gl *Greenlet) profileLabels() context.Context {
	if labelsOff.Load() {
		return nil
	}
	name := gl.g.Name()
	if name == "" {
		return nil
	}
	h := gl.g.Hub()
	k := labelKey{h.ID(), name}
	if ctx, ok := labelSets.Load(k); ok {
		return ctx.(context.Context)
	}
	ctx := pprof.WithLabels(h.ProfileLabels(), pprof.Labels("greenlet", name))
	if labelCount.Load() < maxLabelSets {
		if _, loaded := labelSets.LoadOrStore(k, ctx); !loaded {
			labelCount.Add(1)
		}
	}
	return ctx
}
