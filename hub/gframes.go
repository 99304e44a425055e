package hub

import "runtime"

// StackFrame is one frame of a parked coroutine's stack (see
// G.StackFrames): its function and the bytes of stack it takes.
type StackFrame struct {
	Func string
	Size uintptr
}

// StackFrames returns the frames of g's parked (or ready) goroutine,
// innermost first, each with the bytes of stack it takes (measured between
// the saved frame pointers, so a frame's size includes its return address
// and saved frame pointer), and the stack's size: the sum of Size is the
// stack in use. It returns nil and 0 if g has no goroutine, is the running
// coroutine, or the stack cannot be read here (no frame pointers, or a Go
// release whose goroutine record changed). Hub-only; a diagnostic (the
// stack-size tests of issue 13 use it): it allocates.
func (g *G) StackFrames() (frames []StackFrame, stackSize uintptr) {
	h := g.h
	h.mustOnHub()
	if g.w == nil || g.state == gDead || g == h.cur {
		return nil, 0
	}
	fr, size := fpFrames(g.w.gid)
	if len(fr) == 0 {
		return nil, 0
	}
	frames = make([]StackFrame, len(fr))
	for i, f := range fr {
		pc := f.pc
		if i > 0 {
			pc-- // a return address: the call is the instruction before
		}
		// The frame's function is the outermost of those inlined at pc:
		// the one whose entry it is.
		if fn := runtime.FuncForPC(pc); fn != nil {
			if outer := runtime.FuncForPC(fn.Entry()); outer != nil {
				frames[i].Func = outer.Name()
			}
		}
		frames[i].Size = f.size
	}
	return frames, size
}

// rawFrame is a frame found by fpFrames: a return address (the saved pc
// for the innermost) and the frame's size.
type rawFrame struct{ pc, size uintptr }
