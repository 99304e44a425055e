package hub

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/sourcegraph/conc/panics"
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// Config configures a hub. The zero value is ready to use.
type Config struct {
	// ErrorHandler receives the errors that nobody else would see: panics
	// of greenlets and of hub callbacks, and deadlocks. It runs on the hub
	// loop and must not block. Zero value: log with slog.Default() at
	// Error level.
	ErrorHandler func(error)

	// MaxIdleWorkers bounds how many finished coroutines (goroutines) the
	// hub keeps for reuse by later spawns. An idle one costs about 2.8 KiB
	// (its 2 KiB stack and the runtime's goroutine record); creating one
	// costs about 3 µs. Zero value: 16384. Negative: keep none.
	MaxIdleWorkers int

	// NoDeadlockDetection turns off gevent's LoopExit: a coroutine that
	// nothing can wake then waits forever instead of being interrupted
	// with ErrDeadlock. Zero value: detection on.
	NoDeadlockDetection bool

	// MaxBlockingTime is the blocking monitor's threshold (gevent's
	// max_blocking_time): when one coroutine, or the loop running
	// callbacks, holds the hub that long without switching, the hub
	// reports a *BlockingError to its error handler, and another one when
	// the stall ends (see monitor.go). Zero value: the
	// GREEN_MAX_BLOCKING_TIME environment variable if set (a duration such
	// as "250ms", a number of seconds such as "0.25", or "off"), otherwise
	// DefaultMaxBlockingTime (100 ms). Negative: no monitoring of this
	// hub. SetMaxBlockingTime changes it while the hub runs.
	MaxBlockingTime time.Duration

	// Name names the hub in reports, run-info and profile labels. Zero
	// value: "hub-<id>".
	Name string
}

// Hub is an event loop that runs coroutines (G's) one at a time on a single
// goroutine, with a timer heap, a FIFO ready queue, an epoll poller and an
// eventfd through which other goroutines post work to it.
//
// Create one with New and run it with Start or Run, or use Default. A hub
// costs two file descriptors and, while running, one goroutine plus one
// idle goroutine per pooled coroutine.
type Hub struct {
	cfg     Config
	handler atomic.Pointer[func(error)]

	// Owned by the loop goroutine.
	ready      readyQueue
	timers     timerHeap
	timerSeq   uint32
	poll       poller
	cur        *G
	live       int // started G's that are not dead
	parkedHead *G
	parkedTail *G
	freeW      *worker
	nfreeW     int
	loopCtx    ctx
	hop        hopReq
	exiting    *worker // a worker waiting for the loop to let it exit
	budget     int     // direct switches left before the loop runs again
	idlers     []idleWaiter
	emptiers   []idleWaiter // coroutines in WaitEmpty (empty.go)
	fds        fdTable
	nodes      *WaitNode[struct{}] // free nodes for G.Node
	fdGen      uint32
	waits      int // FD waits and callbacks in progress
	stopping   bool
	isQuiet    bool // the loop's copy of quiet, to store it only on changes

	// Shared with other goroutines.
	running    atomic.Uint64 // goroutine acting for the hub, tick, polling: see running.go
	mu         sync.Mutex
	posted     []posted
	spare      []posted
	npost      atomic.Int32
	wakeSig    atomic.Bool
	wakeMu     sync.RWMutex // orders eventfd writes before its close
	pollClosed bool         // guarded by wakeMu
	holds      atomic.Int64
	outside    atomic.Int64 // plain goroutines blocked waiting on the hub
	obsMu      sync.Mutex
	observers  map[*Waiter]struct{} // plain goroutines' waits the hub may fail
	attached   map[*Waiter]struct{} // waits failed if the hub stops (Attach)
	stopped    bool                 // guarded by obsMu: attached waits fail at once
	quiet      atomic.Uint64        // quiet flag and epoch, see deadlock.go
	hasWork    atomic.Bool          // quiet with parked coroutines or observers (deadlock.go)
	state      atomic.Int32         // hubNew, hubRunning, hubStopped
	stopReq    atomic.Bool
	done       chan struct{}

	ext hubExt // identity, monitoring, run-info and tracing (hubext.go)
}

const (
	hubNew int32 = iota
	hubRunning
	hubStopped
)

// hubs lists running hubs so that Current can find the caller's.
var (
	hubsMu sync.Mutex
	hubs   atomic.Pointer[[]*Hub]
)

func registerHub(h *Hub, add bool) {
	hubsMu.Lock()
	defer hubsMu.Unlock()
	var list []*Hub
	if p := hubs.Load(); p != nil {
		for _, x := range *p {
			if x != h {
				list = append(list, x)
			}
		}
	}
	if add {
		list = append(list, h)
	}
	hubs.Store(&list)
}

// New creates a hub. It fails with ErrUnsupported where there is no poller
// backend, or with the system error if epoll or eventfd cannot be created.
func New(cfg Config) (*Hub, error) {
	checkLockedLayout()
	h := &Hub{cfg: cfg, done: make(chan struct{})}
	h.initExt()
	if cfg.ErrorHandler != nil {
		f := cfg.ErrorHandler
		h.handler.Store(&f)
	}
	if cfg.MaxIdleWorkers == 0 {
		h.cfg.MaxIdleWorkers = 16384
	}
	if err := h.poll.open(); err != nil {
		return nil, err
	}
	return h, nil
}

var (
	defaultOnce sync.Once
	defaultHub  *Hub
	defaultErr  error
)

// Default returns the process-wide hub, creating and starting it on first
// use. It panics if the hub cannot be created (ErrUnsupported off Linux).
func Default() *Hub {
	defaultOnce.Do(func() {
		defaultHub, defaultErr = New(Config{})
		if defaultErr == nil {
			defaultErr = defaultHub.Start()
		}
	})
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultHub
}

// SetErrorHandler replaces the error handler (nil restores the slog
// default). Safe from any goroutine.
func (h *Hub) SetErrorHandler(f func(error)) {
	if f == nil {
		h.handler.Store(nil)
		return
	}
	h.handler.Store(&f)
}

// ReportError hands err to the error handler. Safe from any goroutine; the
// handler runs in the caller. A panicking handler is logged, not
// propagated.
func (h *Hub) ReportError(err error) {
	if err == nil {
		return
	}
	if p := h.handler.Load(); p != nil {
		defer func() {
			if r := recover(); r != nil {
				slog.Default().LogAttrs(context.Background(), slog.LevelError, "green: error handler panicked",
					slog.Any("panic", r), slog.Any("err", err))
			}
		}()
		(*p)(err)
		return
	}
	logError(err)
}

// logError logs an error nobody handled. A multi-line message (a panic's
// stack) stays readable: the standard logger prints it as it is; a handler
// set with slog.SetDefault gets the first line as "err" and the rest as
// "stack".
func logError(err error) {
	msg := err.Error()
	first, rest, multi := strings.Cut(msg, "\n")
	if !multi {
		slog.Default().LogAttrs(context.Background(), slog.LevelError, "green: unhandled error", slog.Any("err", err))
		return
	}
	if fmt.Sprintf("%T", slog.Default().Handler()) == "*slog.defaultHandler" {
		log.Print("ERROR green: unhandled error: " + msg)
		return
	}
	slog.Default().LogAttrs(context.Background(), slog.LevelError, "green: unhandled error",
		slog.String("err", first), slog.String("stack", rest))
}

// Start runs the loop on a new goroutine and returns at once. It fails with
// ErrStopped if the hub was stopped, and is a no-op if it is running.
func (h *Hub) Start() error {
	if !h.state.CompareAndSwap(hubNew, hubRunning) {
		if h.state.Load() == hubStopped {
			return ErrStopped
		}
		return nil
	}
	// Registered before the loop runs, so that deadlock detection on
	// other hubs sees this one (not quiet) from the moment it can be
	// posted to.
	registerHub(h, true)
	go h.loop()
	return nil
}

// Run runs the loop on the calling goroutine until Stop. It fails with
// ErrStopped if the hub was stopped and returns nil if it is already
// running elsewhere only after that loop ends.
func (h *Hub) Run() error {
	if !h.state.CompareAndSwap(hubNew, hubRunning) {
		if h.state.Load() == hubStopped {
			return ErrStopped
		}
		<-h.done
		return nil
	}
	h.outside.Add(1)
	registerHub(h, true)
	h.loop()
	return nil
}

// Stop stops the hub: every live coroutine is interrupted with ErrStopped
// (its deferred calls run), pending timers fire at once, FD waits end with
// ErrStopped, pooled goroutines exit and the kernel objects are closed.
// Called from a plain goroutine, Stop waits until all of that is done and
// returns ErrStopped if the hub was already stopped. Called on the hub, it
// only requests the stop, which happens when the caller next parks. A hub
// that never ran is simply closed.
func (h *Hub) Stop() error {
	if h.state.CompareAndSwap(hubNew, hubStopped) {
		h.closePoller()
		h.failObservers(ErrStopped, true)
		close(h.done)
		return nil
	}
	if h.stopReq.Swap(true) {
		if !h.OnHub() {
			<-h.done
		}
		return ErrStopped
	}
	h.wakeup()
	if !h.OnHub() {
		<-h.done
	}
	return nil
}

// Started reports whether Start or Run was called (the hub may have
// stopped since).
func (h *Hub) Started() bool { return h.state.Load() != hubNew || h.stopReq.Load() }

// Done returns a channel closed when the hub has stopped.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Stopped reports whether the hub has stopped or is stopping.
func (h *Hub) Stopped() bool { return h.stopReq.Load() || h.state.Load() == hubStopped }

// OnHub reports whether the caller is the hub's loop goroutine or one of
// its running coroutines.
func (h *Hub) OnHub() bool { return loadRunning(h) == getg() }

func (h *Hub) mustOnHub() {
	if loadRunning(h) != getg() {
		panic(ErrNotOnHub)
	}
}

func (h *Hub) mustInCoroutine() {
	h.mustOnHub()
	panic(ErrNotCoroutine)
}

// Current returns the G running on h, or nil if the caller is not one of
// h's coroutines.
func (h *Hub) Current() *G {
	if loadRunning(h) != getg() {
		return nil
	}
	return h.cur
}

// Current returns the caller's G and its hub, or nil, nil if the caller is
// a plain goroutine (or a hub loop running a callback, in which case the hub
// is returned with a nil G).
//
// Cost: O(1) for the goroutines of a hub (its loop and its coroutines'
// workers), which serve themselves from a small direct-mapped cache keyed
// by the goroutine (see curCache); a plain goroutine, or the first call of
// a hub goroutine whose slot another one took, scans the running hubs.
func Current() (*G, *Hub) {
	me := getg()
	slot := &curCache[curSlot(me)]
	if h := slot.Load(); h != nil && loadRunning(h) == me {
		return h.cur, h
	}
	p := hubs.Load()
	if p == nil {
		return nil, nil
	}
	for _, h := range *p {
		if loadRunning(h) == me {
			if slot.Load() != h {
				slot.Store(h)
			}
			return h.cur, h
		}
	}
	return nil, nil
}

// curCache maps a goroutine (by a hash of its runtime g pointer) to the hub
// it last acted for. A goroutine of a hub (its loop, or a worker, which
// runs the coroutines of one hub only) acts for that hub for life, so an
// entry stays right until another goroutine hashing to the same slot takes
// it; an entry is only a hint, checked against the hub's running word, so
// a stale or foreign one costs a scan, never a wrong answer. Entries are
// written on misses only: with one hub per core, the cache lines are
// read-mostly and do not bounce between the cores.
var curCache [curCacheSize]atomic.Pointer[Hub]

const curCacheSize = 1024

// curSlot hashes a runtime g pointer (16-byte aligned, a few hundred bytes
// apart) to a curCache index.
func curSlot(gid uintptr) uintptr {
	return uintptr((uint64(gid) * 0x9E3779B97F4A7C15 >> 40) % curCacheSize) // uint64: 32-bit builds too
}

// Callback queues fn(arg) to run on the loop after everything already
// ready, like gevent's loop.run_callback. It does not allocate beyond the
// queue's growth. fn runs in the loop, not in a coroutine: it must not
// park. Hub-only.
func (h *Hub) Callback(fn func(any), arg any) {
	h.mustOnHub()
	h.ready.push(entry{fn: fn, arg: arg})
}

// callback runs fn(arg) in the loop, reporting a panic instead of dying.
func (h *Hub) callback(fn func(any), arg any) {
	defer func() {
		if r := recover(); r != nil {
			h.ReportError(panicError(r))
		}
	}()
	fn(arg)
}

func panicError(r any) error {
	rec := panics.NewRecovered(2, r)
	return rec.AsError()
}

// HasReady reports whether coroutines or callbacks are ready to run, that
// is whether the hub has other work right now. Hub-only.
func (h *Hub) HasReady() bool {
	h.mustOnHub()
	return h.ready.len() > 0
}

// Live returns the number of started coroutines that have not finished.
// Hub-only.
func (h *Hub) Live() int {
	h.mustOnHub()
	return h.live
}

// closePoller closes the kernel objects once no wake-up can be writing.
func (h *Hub) closePoller() {
	h.wakeMu.Lock()
	h.pollClosed = true
	h.poll.close()
	h.wakeMu.Unlock()
}

// Self returns an identity of the calling party, unique among the live
// ones: the running coroutine (its G) for a coroutine, the goroutine for
// anything else. Owner-checked locks use it to tell their holders apart.
func Self() uintptr {
	if g, _ := Current(); g != nil {
		return uintptr(unsafe.Pointer(g))
	}
	return getg()
}
