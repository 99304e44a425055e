package hub

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The blocking monitor: gevent's monitor thread and max_blocking_time.
//
// One goroutine watches every running hub whose threshold is positive. It
// samples each hub's running word (running.go) every quarter of the
// smallest threshold: the word changes at every switch and every loop turn,
// and has its polling bit set while the loop waits for I/O, so a word seen
// unchanged, polling bit clear, over a whole threshold means that one
// party held the hub all that time: a greenlet that called time.Sleep,
// received from a channel, took a sync.Mutex, ran a CPU loop or a blocking
// library call, or the loop stuck in a callback, or a hub starved of CPU.
// The monitor then reports a *BlockingError once, with the holder's current
// stack (gstack.go: read directly, without stopping the world), and another
// one, Ended, when the word changes again.
//
// Cost to the hub: the running word is stored at every switch anyway; the
// tick in it is three more instructions, the polling bit one more store
// around each wait in epoll. Nothing on the hub ever waits for the
// monitor. Cost of the monitor: one goroutine waking every 25 ms (with the
// default threshold) while any monitored hub runs, a few loads per hub per
// wake-up; the work of a report (finding the goroutine, reading and
// formatting its stack) only when a hub has been blocked for a threshold.

// BlockingError reports that a hub was blocked: one coroutine (a greenlet),
// or its loop (a callback, or the loop itself), held it for at least the
// hub's MaxBlockingTime without switching, so that none of its other
// greenlets, timers or I/O could run. The monitor sends it to the hub's
// error handler twice per stall: when it finds the stall (Ended false,
// with the holder's stack) and when the stall ends (Ended true, with its
// length). It is delivered on the monitor's goroutine, while the hub may
// still be blocked: a handler must not wait for the hub.
type BlockingError struct {
	Hub *Hub
	// G is the coroutine that held the hub, nil for the loop.
	G *G
	// ID, Name, SpawnPC and Parent identify G (see G.ID, G.Name,
	// G.Origin); zero for the loop.
	ID      uint64
	Name    string
	SpawnPC uintptr
	Parent  uint64
	// Held is how long the hub had been held when the stall was found (a
	// lower bound, within a quarter of the threshold), or, once Ended, how
	// long the stall lasted in all (within a quarter of the threshold).
	Held time.Duration
	// Threshold is the hub's MaxBlockingTime at the time.
	Threshold time.Duration
	// Ended tells the report of the end of a stall from the one of its
	// start.
	Ended bool
	// Goroutine is the id of the goroutine that held the hub, State what
	// the Go scheduler said it was doing when the stall was found
	// ("sleep", "chan receive", "select", "sync.Mutex.Lock", "IO wait",
	// "syscall", "running" for a CPU loop, "runnable" for a goroutine
	// that was ready but given no CPU), and Stack its stack then, in
	// runtime.Stack's format (frames innermost first, without argument
	// values), or a note saying why it could not be taken.
	Goroutine uint64
	State     string
	Stack     string
}

// Holder describes who held the hub: `greenlet #12 "worker" (spawned at
// main.go:31 by #1)`, or "the hub loop (a callback)".
func (e *BlockingError) Holder() string {
	if e.G == nil {
		return "the hub loop (a callback, or the loop itself)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "greenlet #%d", e.ID)
	if e.Name != "" {
		fmt.Fprintf(&b, " %q", e.Name)
	}
	if e.SpawnPC != 0 || e.Parent != 0 {
		b.WriteString(" (spawned")
		if e.SpawnPC != 0 {
			b.WriteString(" at " + CallSite(e.SpawnPC))
		}
		if e.Parent != 0 {
			fmt.Fprintf(&b, " by #%d", e.Parent)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Where returns the innermost function of Stack outside the runtime:
// what the holder was doing ("time.Sleep", "sync.(*Mutex).Lock",
// "net/http.(*persistConn).roundTrip", the function of a CPU loop), or ""
// without a stack.
func (e *BlockingError) Where() string {
	for _, l := range strings.Split(e.Stack, "\n") {
		if l == "" || l[0] == '\t' || strings.HasPrefix(l, "goroutine ") || strings.HasPrefix(l, "created by ") {
			continue
		}
		fn := l
		if i := strings.LastIndexByte(fn, '('); i > 0 {
			fn = fn[:i]
		}
		if !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, "internal/runtime") {
			return fn
		}
	}
	return ""
}

// Error says who blocked which hub for how long, and, for the report of a
// stall's start, adds the holder's stack on the following lines.
func (e *BlockingError) Error() string {
	if e.Ended {
		return fmt.Sprintf("green: %s: %s released the hub after blocking it for about %v",
			e.Hub, e.Holder(), e.Held.Round(time.Millisecond))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "green: %s: %s has blocked the hub for %v without switching (max blocking time %v)",
		e.Hub, e.Holder(), e.Held.Round(time.Millisecond), e.Threshold)
	if e.State == "runnable" {
		b.WriteString("; its goroutine was ready to run but got no CPU: the process is starved")
	}
	if e.Stack != "" {
		b.WriteString("\n")
		b.WriteString(strings.TrimRight(e.Stack, "\n"))
	}
	return b.String()
}

// CallSite formats a return address recorded in a function (a spawn site)
// as "function (file:line)", or "" for 0.
func CallSite(pc uintptr) string {
	if pc == 0 {
		return ""
	}
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	if f.File == "" {
		return fmt.Sprintf("%#x", pc)
	}
	file := f.File
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		if j := strings.LastIndexByte(file[:i], '/'); j >= 0 {
			file = file[j+1:]
		}
	}
	fn := f.Function
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	return fmt.Sprintf("%s (%s:%d)", fn, file, f.Line)
}

// Blocked returns the stall of h in progress that the monitor has
// reported, or nil. Safe from any goroutine: run-info uses it for a hub
// that does not answer.
func (h *Hub) Blocked() *BlockingError { return h.ext.stall.Load() }

// monState is what the monitor remembers of one hub between samples.
type monState struct {
	word     uint64
	since    int64 // when the monitor first saw word
	before   int64 // the sample before since, which saw another word
	last     int64 // the latest sample, which saw word
	seen     bool
	reported *BlockingError
}

// coarseClock is nanotime as of the monitor's latest look, 0 while no
// monitor runs: hubs stamp parks with it (turnTime), which costs a load
// where nanotime costs 20 ns per loop turn.
var coarseClock atomic.Int64

// turnTime is the time stamped on the parks of a loop turn: the monitor's
// clock (within a sampling period, 25 ms by default), or 0 (unknown) when
// no monitor runs, rather than a clock read per turn.
func turnTime() int64 { return coarseClock.Load() }

var monitor struct {
	mu      sync.Mutex
	running bool
	// tickMu is held by the monitor while it looks at the hubs, and by a
	// hub's loop when it shuts down (stopped): a stall the monitor
	// reported is then ended by the hub itself, before Stop returns, so
	// that no report about a hub comes after its Stop.
	tickMu sync.Mutex
	// reports are the reports made under tickMu, sent once it is
	// released: an error handler may do anything, Stop a hub included
	// (whose shutdown takes tickMu).
	reports []stallReport
}

// stallReport is a report waiting to be sent to its hub's handler.
type stallReport struct {
	h *Hub
	e *BlockingError
}

// sendReports sends the reports queued under tickMu; called right after
// releasing it, by the goroutine that queued them.
func sendReports() {
	monitor.tickMu.Lock()
	rs := monitor.reports
	monitor.reports = nil
	monitor.tickMu.Unlock()
	for _, r := range rs {
		r.h.ReportError(r.e)
	}
}

// startMonitor makes sure the monitor runs; it exits by itself when no
// running hub needs it.
func startMonitor() {
	monitor.mu.Lock()
	if !monitor.running {
		monitor.running = true
		go monitorLoop()
	}
	monitor.mu.Unlock()
}

// period returns the sampling period for the running hubs, or 0 if none
// is monitored.
func monitorPeriod() time.Duration {
	var p time.Duration
	if l := hubs.Load(); l != nil {
		for _, h := range *l {
			if d := h.MaxBlockingTime(); d > 0 && (p == 0 || d < p) {
				p = d
			}
		}
	}
	if p == 0 {
		return 0
	}
	return max(p/4, time.Millisecond)
}

func monitorLoop() {
	// It was started by some hub's loop: do not carry its labels.
	pprof.SetGoroutineLabels(context.Background())
	// The loop keeps a small frame (the state is on the heap, the work in
	// tick): the runtime sizes new goroutines' stacks by the average it
	// sees, and this goroutine spends its life asleep here.
	m := &monitorState{last: nanotime(), reported: map[*Hub]bool{}}
	for {
		p := m.period()
		if p == 0 {
			return
		}
		if m.t == nil {
			m.t = time.NewTimer(p)
		} else {
			m.t.Reset(p)
		}
		<-m.t.C
		m.tick(p)
	}
}

// monitorState is what the monitor goroutine keeps between looks.
type monitorState struct {
	t        *time.Timer
	last     int64
	reported map[*Hub]bool // hubs with a stall reported and not ended
}

// period returns the sampling period, or 0 after marking the monitor
// stopped when no running hub needs it.
//
//go:noinline
func (m *monitorState) period() time.Duration {
	if p := monitorPeriod(); p != 0 {
		return p
	}
	monitor.mu.Lock()
	defer monitor.mu.Unlock()
	p := monitorPeriod()
	if p == 0 {
		coarseClock.Store(0)
		monitor.running = false
	}
	return p
}

// tick looks at every hub once.
//
//go:noinline
func (m *monitorState) tick(p time.Duration) {
	defer sendReports()
	monitor.tickMu.Lock()
	defer monitor.tickMu.Unlock()
	now := nanotime()
	coarseClock.Store(now)
	// A monitor that woke much too late was starved itself: what it saw
	// unchanged may not have had a chance to change.
	overslept := now-m.last > int64(p)+int64(max(p, 50*time.Millisecond))
	m.last = now
	l := hubs.Load()
	if l != nil {
		for _, h := range *l {
			h.check(now, p, overslept)
			if h.ext.mon.reported != nil {
				m.reported[h] = true
			} else if len(m.reported) > 0 {
				delete(m.reported, h)
			}
		}
	}
gone:
	for h := range m.reported {
		if l != nil {
			for _, x := range *l {
				if x == h {
					continue gone
				}
			}
		}
		if h.ext.mon.reported != nil {
			h.endStall(now) // stopped while blocked: that ended the stall
		}
		delete(m.reported, h)
	}
}

// check samples h, the sampling period being p. Monitor-only.
func (h *Hub) check(now int64, p time.Duration, overslept bool) {
	st := &h.ext.mon
	threshold := h.MaxBlockingTime()
	w := h.running.Load()
	if threshold <= 0 {
		if st.reported != nil {
			h.endStall(now)
		}
		st.seen = false
		return
	}
	if !st.seen || w != st.word || w&pollBit != 0 {
		if st.reported != nil {
			h.endStall(now)
		}
		st.before = st.last
		if !st.seen {
			st.before = now - int64(p) // as if sampled one period ago
		}
		st.word, st.since, st.last, st.seen = w, now, now, true
		return
	}
	if st.reported != nil {
		st.last = now
		return
	}
	if overslept {
		st.since, st.before, st.last = now, now, now
		return
	}
	st.last = now
	if held := time.Duration(now - st.since); held >= threshold {
		h.reportStall(w, held, threshold)
	}
}

// reportStall builds and sends the report of a stall that has lasted held
// so far, with word w. Monitor-only.
func (h *Hub) reportStall(w uint64, held, threshold time.Duration) {
	gid := uintptr(w & gidMask)
	e := &BlockingError{Hub: h, Held: held, Threshold: threshold}
	if gid != h.ext.loopGID.Load() {
		if g, _ := h.workerOf(gid); g != nil {
			e.G, e.ID, e.Name = g, g.id, g.Name()
			e.SpawnPC, e.Parent = g.pc, g.parent
		}
	}
	s := stackOf(gid, min(2*threshold, 100*time.Millisecond))
	if h.running.Load() != w {
		s = gstack{goid: s.goid, state: s.state, note: "the stall ended while its stack was being taken"}
	}
	e.Goroutine, e.State = s.goid, s.state
	if e.G != nil {
		s.pcs = trimWorker(s.pcs)
	}
	e.Stack = s.String()
	h.ext.mon.reported = e
	h.ext.stall.Store(e)
	monitor.reports = append(monitor.reports, stallReport{h, e})
}

// stoppedForMonitor runs in the loop of a stopped hub, no longer listed:
// it ends the stall the monitor reported, if any, so that the end report
// comes before Stop returns.
func (h *Hub) stoppedForMonitor() {
	defer sendReports()
	monitor.tickMu.Lock()
	defer monitor.tickMu.Unlock()
	if h.ext.mon.reported != nil {
		h.endStall(nanotime())
	}
}

// endStall reports the end of the reported stall. Monitor-only (or with
// monitor.tickMu held).
func (h *Hub) endStall(now int64) {
	st := &h.ext.mon
	start := st.reported
	st.reported = nil
	h.ext.stall.Store(nil)
	end := *start
	end.Ended = true
	// It began between the sample before since and since, and ended
	// between the last sample that saw it and now: take the middles.
	end.Held = time.Duration((st.last+now)/2 - (st.before+st.since)/2)
	end.Stack, end.State = "", ""
	monitor.reports = append(monitor.reports, stallReport{h, &end})
}
