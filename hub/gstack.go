package hub

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// gstack is one goroutine's stack as read by fastStack or taken from a
// full dump.
type gstack struct {
	goid   uint64
	status uint32    // the runtime's state (fast path)
	reason uint8     // and wait reason
	state  string    // the scheduler's word for it: "sleep", "chan receive", "running"...
	pcs    []uintptr // return addresses, innermost first (fast path)
	text   string    // formatted frames (full-dump path)
	ok     bool
	note   string // why there is no stack
}

// When a stack cannot be read directly (a goroutine that stays on a CPU,
// an architecture without frame pointers), the monitor falls back to
// runtime.Stack(buf, true), which stops the world for about 10 µs per
// goroutine (TestStackCost): at once in a process of at most cheapDump
// goroutines (at most 2 ms), after watching the goroutine for a chance to
// read it directly in one of at most fullDumpMax (12 ms), never beyond.
const (
	cheapDump   = 200
	fullDumpMax = 1000
)

// stackOf returns the stack of the goroutine gid: directly if possible
// (watching a running goroutine for up to spin for the scheduler to
// preempt it, which it does every 10 ms), otherwise from a full dump of a
// small process.
func stackOf(gid uintptr, spin time.Duration) gstack {
	s := fastStack(gid, 0)
	if s.ok {
		return s
	}
	if s.state == "running" && runtime.NumGoroutine() > cheapDump {
		if t := fastStack(gid, spin); t.ok {
			return t
		}
	}
	goid := s.goid
	if goid == 0 {
		goid = gidGoid(gid)
	}
	if goid == 0 {
		return s
	}
	if n := runtime.NumGoroutine(); n > fullDumpMax {
		if s.note == "" {
			s.note = fmt.Sprintf("stack not taken: the goroutine stayed %s, and a dump of all %d goroutines would stop the process for about %v",
				orWord(s.state, "busy"), n, time.Duration(n)*10*time.Microsecond)
		}
		return s
	}
	text, state, ok := dumpOne(goid)
	if !ok {
		if s.note == "" {
			s.note = "the goroutine was not found in a dump of all goroutines"
		}
		return s
	}
	if s.state == "running" {
		state = s.state // the dump stopped it: it says "runnable"
	}
	return gstack{goid: goid, state: state, text: text, ok: true}
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// dumpOne takes runtime.Stack of every goroutine and returns goid's frames
// and state.
func dumpOne(goid uint64) (frames, state string, ok bool) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 64<<20 {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	head := []byte("goroutine " + strconv.FormatUint(goid, 10) + " [")
	i := bytes.Index(buf, head)
	for i > 0 && buf[i-1] != '\n' {
		j := bytes.Index(buf[i+1:], head)
		if j < 0 {
			return "", "", false
		}
		i += 1 + j
	}
	if i < 0 {
		return "", "", false
	}
	block := buf[i:]
	if end := bytes.Index(block, []byte("\n\n")); end >= 0 {
		block = block[:end+1]
	}
	nl := bytes.IndexByte(block, '\n')
	if nl < 0 {
		return "", "", false
	}
	h := string(block[len(head):nl])
	if k := strings.IndexByte(h, ']'); k >= 0 {
		h = h[:k]
	}
	if k := strings.IndexByte(h, ','); k >= 0 { // "[sleep, 2 minutes]"
		h = h[:k]
	}
	return string(block[nl+1:]), h, true
}

// String formats the stack like runtime.Stack: a header and the frames,
// innermost first, without the argument values.
func (s gstack) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "goroutine %d [%s]:\n", s.goid, orWord(s.state, "unknown"))
	switch {
	case s.text != "":
		b.WriteString(s.text)
	case len(s.pcs) > 0:
		b.WriteString(formatFrames(s.pcs))
	default:
		b.WriteString("\t(" + orWord(s.note, "stack unavailable") + ")\n")
	}
	return b.String()
}

// formatFrames prints return addresses as runtime.Stack prints frames.
func formatFrames(pcs []uintptr) string {
	var b strings.Builder
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if f.Function != "" || f.File != "" {
			fmt.Fprintf(&b, "%s(...)\n\t%s:%d\n", orWord(f.Function, "?"), f.File, f.Line)
		}
		if !more {
			break
		}
	}
	return b.String()
}

// trimSwitch drops the frames of a parked coroutine's switch (the runtime's
// coroutine switch, iter.Pull, the hub's transfer and schedule), so that
// its stack starts at the park.
func trimSwitch(pcs []uintptr) []uintptr {
	k := 0
	for ; k < len(pcs); k++ {
		f, _ := runtime.CallersFrames(pcs[k : k+1]).Next()
		if !isSwitchFrame(f.Function) {
			break
		}
	}
	return pcs[k:]
}

// trimWorker drops the frames under a coroutine's body: the hub's worker
// and iter.Pull's goroutine, the same for every coroutine.
func trimWorker(pcs []uintptr) []uintptr {
	for k := range pcs {
		f, _ := runtime.CallersFrames(pcs[k : k+1]).Next()
		if strings.HasSuffix(f.Function, "hub.(*worker).run") {
			return pcs[:k]
		}
	}
	return pcs
}

func isSwitchFrame(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "iter.") ||
		strings.HasSuffix(fn, "hub.(*Hub).transfer") || strings.HasSuffix(fn, "hub.(*Hub).schedule") ||
		strings.HasSuffix(fn, "hub.(*Hub).pickNext")
}

// StackOf returns the current stack of g's goroutine, formatted like
// runtime.Stack's (header and frames, innermost first, without argument
// values), starting at its park; "" if g has no goroutine (not started,
// dead) or the stack cannot be read here. Hub-only: run-info uses it on
// parked and ready coroutines, whose stacks cannot change while the hub
// runs the caller. For the running coroutine it returns the caller's own
// stack.
func (g *G) StackOf() string {
	h := g.h
	h.mustOnHub()
	if g.w == nil || g.state == gDead {
		return ""
	}
	if g == h.cur {
		buf := make([]byte, 64<<10)
		return string(buf[:runtime.Stack(buf, false)])
	}
	s := fastStack(g.w.gid, 0)
	if !s.ok {
		return ""
	}
	s.pcs = trimWorker(trimSwitch(s.pcs))
	return s.String()
}
