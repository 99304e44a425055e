package hub

import (
	"runtime"
	"time"
)

// SwitchWatch measures how one coroutine shares its hub: how many times it
// switched away (parked or yielded) and the longest stretch it ran without
// switching. It is what package green's AssertSwitches (gevent's
// assert_switches) is built on. Start one with G.WatchSwitches.
type SwitchWatch struct {
	g        *G
	start    int64
	longest  int64
	switches int
	endPCs   []uintptr // where the longest stretch ended
	next     *SwitchWatch
	stopped  bool
}

// WatchSwitches starts measuring g, the running coroutine, from now until
// Stop. Hub-only, from g itself. Cost while it runs: a clock read at each
// switch of g; other coroutines of the hub pay a nil check per park.
func (g *G) WatchSwitches() *SwitchWatch {
	h := g.h
	if h.cur != g || g.w == nil || getg() != g.w.gid {
		h.mustInCoroutine()
	}
	w := &SwitchWatch{g: g, start: nanotime(), next: h.ext.watch}
	h.ext.watch = w
	return w
}

// Stop ends the measurement and returns the number of switches and the
// longest stretch without one (the stretch in progress counts), with
// the stack where that stretch ended (nil if it is the one in progress).
// Call it from the watched coroutine; stopping twice returns the same.
func (w *SwitchWatch) Stop() (switches int, longest time.Duration, endStack []uintptr) {
	if !w.stopped {
		w.stopped = true
		if d := nanotime() - w.start; d > w.longest {
			w.longest, w.endPCs = d, nil
		}
		h := w.g.h
		for p := &h.ext.watch; *p != nil; p = &(*p).next {
			if *p == w {
				*p = w.next
				break
			}
		}
	}
	return w.switches, time.Duration(w.longest), w.endPCs
}

// out runs as a coroutine of the hub switches away.
func (w *SwitchWatch) out(g *G) {
	for ; w != nil; w = w.next {
		if w.g != g {
			continue
		}
		w.switches++
		if d := nanotime() - w.start; d > w.longest {
			w.longest = d
			var pcs [32]uintptr
			n := runtime.Callers(3, pcs[:])
			w.endPCs = append(w.endPCs[:0], pcs[:n]...)
		}
	}
}

// in runs as a coroutine of the hub resumes.
func (w *SwitchWatch) in(g *G) {
	for ; w != nil; w = w.next {
		if w.g == g {
			w.start = nanotime()
		}
	}
}
