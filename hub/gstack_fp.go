//go:build amd64 || arm64

package hub

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Reading the stack of one other goroutine.
//
// The standard library can only print every goroutine at once
// (runtime.Stack(buf, true)), which stops the world for about 10 µs per
// goroutine: 12 ms with a thousand parked greenlets, 9 s with a million
// (measured, see TestStackCost). The blocking monitor and run-info need one
// goroutine's stack, so they read it the way the runtime's execution
// tracer does (fpTracebackPCs): a goroutine that is not running has its
// frame pointer saved in its record (g.sched.bp, or g.syscallbp during a
// system call), and on amd64 and arm64 every Go frame links to its
// caller's frame pointer, with the return address one word above. Walking
// that chain costs nothing per other goroutine.
//
// The runtime's goroutine record is private, so its layout is checked
// once, the first time a stack is wanted, on a goroutine of our own
// blocked in a channel receive and another blocked on a sync.Mutex: the
// record must point to itself (g.sched.g), hold the goroutine id that
// runtime.Stack prints, have its saved stack pointer within its stack
// bounds, and the walk must find the blocking function. If any check
// fails (a Go release moved the fields), the fast path is off and callers
// fall back to runtime.Stack (see gstack.go). The reads go through peek,
// an assembly load the race detector does not see: the goroutine could be
// resumed while we read, so every result is validated by reading its
// state again afterwards.

// Offsets in the runtime's g (runtime/runtime2.go, Go 1.26, 64-bit).
const (
	gStackLo    = 0
	gStackHi    = 8
	gSchedSP    = 56
	gSchedPC    = 64
	gSchedG     = 72
	gSchedBP    = 96
	gSyscallSP  = 104
	gSyscallPC  = 112
	gSyscallBP  = 120
	gStatus     = 144
	gGoid       = 152
	gWaitReason = 176
)

// Goroutine states (runtime/runtime2.go).
const (
	gsRunnable  = 1
	gsRunning   = 2
	gsSyscall   = 3
	gsWaiting   = 4
	gsPreempted = 9
	gsScan      = 0x1000
)

// waitReasons are the runtime's wait reasons in the order of its enum
// (Go 1.26), for the header of a stack ("[chan receive]"); used only when
// the layout check recognised two of them.
var waitReasons = [...]string{
	"", "GC assist marking", "IO wait", "dumping heap", "garbage collection",
	"garbage collection scan", "panicwait", "GC assist wait", "GC sweep wait",
	"GC scavenge wait", "finalizer wait", "force gc (idle)",
	"GOMAXPROCS updater (idle)", "semacquire", "sleep",
	"chan receive (nil chan)", "chan send (nil chan)", "select (no cases)",
	"select", "chan receive", "chan send", "sync.Cond.Wait", "sync.Mutex.Lock",
	"sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.WaitGroup.Wait",
	"trace reader (blocked)", "wait for GC cycle", "GC worker (idle)",
	"GC worker (active)", "preempted", "debug call", "GC mark termination",
	"stopping the world", "flushing proc caches", "trace goroutine status",
	"trace proc status", "page trace flush", "coroutine",
	"GC weak to strong wait", "synctest.Run", "synctest.Wait",
	"chan receive (durable)", "chan send (durable)", "select (durable)",
	"sync.WaitGroup.Wait (durable)", "cleanup wait",
}

func peek(addr uintptr) uintptr

// fpLayout is the result of the layout check.
var fpLayout = sync.OnceValues(checkLayout)

// checkLayout reports whether the offsets above hold for this runtime, and
// whether the wait reason table does.
func checkLayout() (ok, reasons bool) {
	got1, got2 := make(chan probe), make(chan probe)
	release := make(chan struct{})
	var mu sync.Mutex
	mu.Lock()
	go probeChanRecv(got1, release)
	go probeMutex(got2, &mu)
	p1, p2 := <-got1, <-got2
	defer func() {
		close(release)
		mu.Unlock()
	}()
	okOne := func(p probe, fn string) (bool, uintptr) {
		// Wait until it is blocked (it was running when it sent).
		for i := 0; i < 2000; i++ {
			if st := uint32(peek(p.g+gStatus)) &^ gsScan; st == gsWaiting {
				break
			}
			time.Sleep(50 * time.Microsecond)
		}
		if peek(p.g+gSchedG) != p.g || uint64(peek(p.g+gGoid)) != p.goid {
			return false, 0
		}
		lo, hi, sp := peek(p.g+gStackLo), peek(p.g+gStackHi), peek(p.g+gSchedSP)
		if !(lo < sp && sp < hi) {
			return false, 0
		}
		s := fpStackOf(p.g)
		if !s.ok || !strings.Contains(formatFrames(s.pcs), fn) {
			return false, 0
		}
		return true, peek(p.g+gWaitReason) & 0xff
	}
	ok1, r1 := okOne(p1, "hub.probeChanRecv")
	ok2, r2 := okOne(p2, "hub.probeMutex")
	if !ok1 || !ok2 {
		return false, false
	}
	reasons = strings.HasPrefix(runtime.Version(), "go1.26") &&
		int(r2) < len(waitReasons) && waitReasons[r1] == "chan receive" && waitReasons[r2] == "sync.Mutex.Lock"
	return true, reasons
}

// probe is a goroutine of the layout check: its record and its id.
type probe struct {
	g    uintptr
	goid uint64
}

//go:noinline
func probeChanRecv(got chan<- probe, release <-chan struct{}) {
	got <- probe{getg(), curGoid()}
	<-release
}

//go:noinline
func probeMutex(got chan<- probe, mu *sync.Mutex) {
	got <- probe{getg(), curGoid()}
	mu.Lock()   // parks in sync.(*Mutex).Lock until the prober unlocks
	mu.Unlock() //lint:ignore SA2001 the lock is the probe: the stack parks inside it
}

// fpStackOf reads the stack of the goroutine whose record is at g, once:
// ok is false if it was running (or being moved) or changed while read.
func fpStackOf(g uintptr) gstack {
	st := uint32(peek(g + gStatus))
	s := gstack{goid: uint64(peek(g + gGoid)), status: st, reason: uint8(peek(g + gWaitReason))}
	if st&gsScan != 0 {
		return s
	}
	var pc, bp, sp uintptr
	switch st {
	case gsRunnable, gsWaiting, gsPreempted:
		pc, bp, sp = peek(g+gSchedPC), peek(g+gSchedBP), peek(g+gSchedSP)
	case gsSyscall:
		pc, bp, sp = peek(g+gSyscallPC), peek(g+gSyscallBP), peek(g+gSyscallSP)
	default:
		return s
	}
	lo, hi := peek(g+gStackLo), peek(g+gStackHi)
	if hi <= lo || hi-lo > 1<<30 || !(lo <= sp && sp < hi) {
		return s
	}
	var buf [64]uintptr
	pcs := buf[:0]
	pcs = append(pcs, pc)
	for len(pcs) < cap(pcs) && bp >= lo && bp+16 <= hi && bp&7 == 0 {
		pcs = append(pcs, peek(bp+8))
		next := peek(bp)
		if next <= bp {
			break
		}
		bp = next
	}
	// Still the same state, the same frame: what was read is a stack.
	if uint32(peek(g+gStatus)) != st || peek(g+gStackLo) != lo || peek(g+gSchedSP) != sp && st != gsSyscall ||
		st == gsSyscall && peek(g+gSyscallSP) != sp {
		return s
	}
	s.pcs = append([]uintptr(nil), pcs...)
	s.ok = true
	return s
}

func stateName(st uint32, reason uint8) string {
	switch st &^ gsScan {
	case gsRunnable:
		return "runnable"
	case gsRunning:
		return "running"
	case gsSyscall:
		return "syscall"
	case gsPreempted:
		return "preempted"
	case gsWaiting:
		if _, reasons := fpLayout(); reasons && int(reason) < len(waitReasons) && waitReasons[reason] != "" {
			return waitReasons[reason]
		}
		return "waiting"
	}
	return "state " + strconv.Itoa(int(st))
}

// fastStack reads the stack of the goroutine gid (a g address, see getg).
// A goroutine running on a CPU has no saved frame: fastStack then watches
// it for up to spin, until the scheduler preempts it (every 10 ms for a
// goroutine that runs on). ok is false when the layout check failed or it
// never stopped.
func fastStack(gid uintptr, spin time.Duration) gstack {
	if ok, _ := fpLayout(); !ok || gid == 0 {
		return gstack{note: "reading another goroutine's stack is not supported by this Go release"}
	}
	s := fpStackOf(gid)
	s.state = stateName(s.status, s.reason)
	switch {
	case s.ok && s.status == gsRunnable && preempted(s.pcs):
		s.state = "running" // caught as the scheduler preempted it
	case !s.ok && s.status&^gsScan == gsRunnable:
		s.state = "running" // runnable, then running again as we read
	}
	if s.ok || spin <= 0 {
		return s
	}
	deadline := nanotime() + int64(spin)
	for i := 0; nanotime() < deadline; i++ {
		if st := uint32(peek(gid + gStatus)); st != gsRunning && st&gsScan == 0 {
			if t := fpStackOf(gid); t.ok {
				// Caught as the scheduler preempted it, on its way back
				// to a CPU: it is running. (Or it blocked meanwhile.)
				t.state = stateName(t.status, t.reason)
				if t.status == gsRunnable {
					t.state = s.state
				}
				return t
			}
		}
		if i&1023 == 1023 {
			runtime.Gosched()
		}
	}
	return s
}

// preempted reports whether a runnable goroutine's stack shows it was
// preempted while running (rather than woken and waiting for a CPU).
func preempted(pcs []uintptr) bool {
	frames := runtime.CallersFrames(pcs[:min(len(pcs), 4)])
	for {
		f, more := frames.Next()
		switch f.Function {
		case "runtime.asyncPreempt", "runtime.asyncPreempt2", "runtime.gopreempt_m", "runtime.newstack", "runtime.morestack":
			return true
		}
		if !more {
			return false
		}
	}
}

// stackSupported reports whether fastStack can work here.
func stackSupported() bool { ok, _ := fpLayout(); return ok }

// gidGoid returns the goroutine id of gid.
func gidGoid(gid uintptr) uint64 {
	if ok, _ := fpLayout(); !ok || gid == 0 {
		return 0
	}
	return uint64(peek(gid + gGoid))
}

// fpFrames walks the frame-pointer chain of the goroutine whose record is
// at gid (parked or ready) like fpStackOf, and returns each frame's size:
// the innermost frame spans from the saved stack pointer to above its
// saved frame pointer and return address, each caller's from there to
// above its own; the outermost frame (the runtime's goexit) gets the rest
// up to the top of the stack. Also returns the stack's size.
func fpFrames(gid uintptr) ([]rawFrame, uintptr) {
	if ok, _ := fpLayout(); !ok || gid == 0 {
		return nil, 0
	}
	st := uint32(peek(gid + gStatus))
	if st != gsRunnable && st != gsWaiting {
		return nil, 0
	}
	pc, bp, sp := peek(gid+gSchedPC), peek(gid+gSchedBP), peek(gid+gSchedSP)
	lo, hi := peek(gid+gStackLo), peek(gid+gStackHi)
	if hi <= lo || hi-lo > 1<<30 || !(lo <= sp && sp < hi) {
		return nil, 0
	}
	var frames []rawFrame
	low := sp // the lowest byte of the frame being measured
	for len(frames) < 256 && bp >= low && bp+16 <= hi && bp&7 == 0 {
		frames = append(frames, rawFrame{pc, bp + 16 - low})
		low = bp + 16
		pc = peek(bp + 8)
		next := peek(bp)
		if next <= bp {
			break
		}
		bp = next
	}
	frames = append(frames, rawFrame{pc, hi - low})
	if uint32(peek(gid+gStatus)) != st || peek(gid+gSchedSP) != sp {
		return nil, 0
	}
	return frames, hi - lo
}
