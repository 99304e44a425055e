package hub

import (
	"context"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// hubExt is what a hub keeps for the tools that look at it from outside:
// its identity, the blocking monitor, run-info, tracing and profiling.
type hubExt struct {
	id   uint64
	name string

	// Loop-owned.
	now    int64        // nanotime at the start of the current loop turn
	idNext uint64       // the next G id of the block in hand
	idEnd  uint64       // the end of that block
	watch  *SwitchWatch // AssertSwitches in progress on this hub
	labels context.Context

	// Shared.
	maxBlock atomic.Int64   // the monitor's threshold in ns, <= 0: off
	loopGID  atomic.Uintptr // the loop goroutine
	stall    atomic.Pointer[BlockingError]

	wmu     sync.Mutex
	workers *worker // every live worker, for the monitor to find a goroutine's G

	mon monState // owned by the monitor goroutine
}

var hubIDs atomic.Uint64

// DefaultMaxBlockingTime is the blocking monitor's threshold when neither
// Config.MaxBlockingTime nor GREEN_MAX_BLOCKING_TIME says otherwise: the
// default of gevent's max_blocking_time.
const DefaultMaxBlockingTime = 100 * time.Millisecond

// envMaxBlocking is GREEN_MAX_BLOCKING_TIME, read once: ok is false when it
// is unset or cannot be parsed.
var envMaxBlocking = sync.OnceValues(func() (time.Duration, bool) {
	return parseMaxBlocking(os.Getenv("GREEN_MAX_BLOCKING_TIME"))
})

// parseMaxBlocking parses a threshold: a Go duration ("250ms"), a number
// of seconds as gevent takes it ("0.25"), or "off"/"0"/"false"/"no"
// (which turn the monitor off, a negative result).
func parseMaxBlocking(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return 0, false
	case "off", "0", "false", "no", "none":
		return -1, true
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return -1, true
		}
		return d, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f <= 0 {
			return -1, true
		}
		return time.Duration(f * float64(time.Second)), true
	}
	return 0, false
}

func (h *Hub) initExt() {
	e := &h.ext
	e.id = hubIDs.Add(1)
	e.name = h.cfg.Name
	if e.name == "" {
		e.name = "hub-" + strconv.FormatUint(e.id, 10)
	}
	d := h.cfg.MaxBlockingTime
	if d == 0 {
		d = DefaultMaxBlockingTime
		if env, ok := envMaxBlocking(); ok {
			d = env
		}
	}
	e.maxBlock.Store(int64(d))
	e.labels = pprof.WithLabels(context.Background(), pprof.Labels("hub", e.name))
}

// ID returns the hub's number, unique in the process (1 for the first hub
// created).
func (h *Hub) ID() uint64 { return h.ext.id }

// Name returns the hub's name: Config.Name, or "hub-<id>".
func (h *Hub) Name() string { return h.ext.name }

// String returns the hub's name.
func (h *Hub) String() string { return h.ext.name }

// SetMaxBlockingTime changes the blocking monitor's threshold (see
// Config.MaxBlockingTime; d <= 0 turns monitoring of this hub off) and
// returns the previous one (<= 0 when it was off). Safe from any
// goroutine; it takes effect at the monitor's next look.
func (h *Hub) SetMaxBlockingTime(d time.Duration) time.Duration {
	if d < 0 {
		d = -1
	}
	old := time.Duration(h.ext.maxBlock.Swap(int64(d)))
	if d > 0 {
		startMonitor()
	}
	return old
}

// MaxBlockingTime returns the blocking monitor's threshold for this hub,
// or a value <= 0 when monitoring is off.
func (h *Hub) MaxBlockingTime() time.Duration { return time.Duration(h.ext.maxBlock.Load()) }

// ProfileLabels returns the context carrying the hub's profile labels
// ("hub" = its name), which its worker goroutines carry between
// coroutines: package green sets a greenlet's labels on top of it and
// restores it when the greenlet ends.
func (h *Hub) ProfileLabels() context.Context { return h.ext.labels }

// SetProfileLabels sets the profile labels of g's goroutine (a context
// from pprof.WithLabels) until g ends, when its worker goes back to the
// hub's (ProfileLabels). Call it from g, the running coroutine.
func (g *G) SetProfileLabels(ctx context.Context) {
	h := g.h
	if h.cur != g || g.w == nil || getg() != g.w.gid {
		h.mustInCoroutine()
	}
	g.w.home.labelled = true
	pprof.SetGoroutineLabels(ctx)
}

// addWorker registers w, on its own goroutine as it starts, so that the
// monitor can tell whose goroutine holds the hub.
func (h *Hub) addWorker(w *worker) {
	e := &h.ext
	e.wmu.Lock()
	w.wnext = e.workers
	if e.workers != nil {
		e.workers.wprev = w
	}
	e.workers = w
	e.wmu.Unlock()
}

func (h *Hub) removeWorker(w *worker) {
	e := &h.ext
	e.wmu.Lock()
	if w.wprev != nil {
		w.wprev.wnext = w.wnext
	} else if e.workers == w {
		e.workers = w.wnext
	}
	if w.wnext != nil {
		w.wnext.wprev = w.wprev
	}
	w.wprev, w.wnext = nil, nil
	e.wmu.Unlock()
}

// workerOf returns the G run by the worker whose goroutine is gid, or nil
// (the loop, or a worker between two G's). Safe from any goroutine.
func (h *Hub) workerOf(gid uintptr) (g *G, isWorker bool) {
	e := &h.ext
	e.wmu.Lock()
	defer e.wmu.Unlock()
	for w := e.workers; w != nil; w = w.wnext {
		if w.gid == gid {
			return w.g.Load(), true
		}
	}
	return nil, false
}

// Hubs returns the hubs that are running, in the order they started. Safe
// from any goroutine.
func Hubs() []*Hub {
	if p := hubs.Load(); p != nil {
		return append([]*Hub(nil), (*p)...)
	}
	return nil
}

// Coroutines returns h's live coroutines, at most max of them (max <= 0:
// all): the running one, then the ready ones in the order they will run,
// then the parked ones, longest parked first. Hub-only; it costs a few
// nanoseconds per coroutine returned.
func (h *Hub) Coroutines(max int) []*G {
	h.mustOnHub()
	if max <= 0 || max > h.live {
		max = h.live
	}
	gs := make([]*G, 0, max)
	if h.cur != nil && h.cur.state == gRunning && len(gs) < max {
		gs = append(gs, h.cur)
	}
	q := &h.ready.r
	for i := 0; i < q.Len() && len(gs) < max; i++ {
		if e := q.At(i); e.g != nil && e.g.state == gReady {
			gs = append(gs, e.g)
		}
	}
	for g := h.parkedHead; g != nil && len(gs) < max; g = g.pnext {
		gs = append(gs, g)
	}
	return gs
}
