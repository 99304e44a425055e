package hub

import (
	"slices"
	"testing"
)

// FuzzTimerHeap drives the timer heap with a sequence of operations taken
// from the input (arm a timer at some instant, re-arm or disarm one, pop
// the earliest) and checks it against a sorted slice after every step: the
// heap invariant, the positions recorded in the timers, and the order
// (instant, then arming order) in which timers come out.
func FuzzTimerHeap(f *testing.F) {
	f.Add([]byte{0, 5, 0, 5, 0, 3, 2, 0, 1, 1, 2, 2, 2})
	f.Add([]byte{0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 3, 2, 2, 2, 2})
	f.Add([]byte{0, 9, 0, 2, 0, 7, 1, 1, 1, 0, 1, 2, 0, 0, 2, 2, 2, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var h timerHeap
		var seq uint32
		timers := make([]*Timer, 0, 16)
		var model []*Timer // active timers, kept sorted by (when, seq)
		sortModel := func() {
			slices.SortFunc(model, func(a, b *Timer) int {
				if a.when != b.when {
					if a.when < b.when {
						return -1
					}
					return 1
				}
				return int(int32(a.seq - b.seq))
			})
		}
		arm := func(tm *Timer, when int64) {
			if tm.pos != 0 {
				h.remove(tm)
				model = slices.DeleteFunc(model, func(x *Timer) bool { return x == tm })
			}
			seq++
			tm.when, tm.seq = when, seq
			h.push(tm)
			model = append(model, tm)
			sortModel()
		}
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i]%3, int(ops[i+1])
			switch op {
			case 0: // arm a new timer, or re-arm an old one
				if len(timers) < 64 && (arg%2 == 0 || len(timers) == 0) {
					timers = append(timers, &Timer{})
				}
				arm(timers[arg%len(timers)], int64(arg%8))
			case 1: // disarm
				if len(timers) == 0 {
					continue
				}
				tm := timers[arg%len(timers)]
				if tm.pos != 0 {
					h.remove(tm)
					model = slices.DeleteFunc(model, func(x *Timer) bool { return x == tm })
				}
			case 2: // pop the earliest
				if len(h) == 0 {
					if len(model) != 0 {
						t.Fatalf("heap empty, model has %d", len(model))
					}
					continue
				}
				got := h[0]
				h.remove(got)
				if got != model[0] {
					t.Fatalf("popped (%d, %d), want (%d, %d)", got.when, got.seq, model[0].when, model[0].seq)
				}
				model = model[1:]
			}
			checkHeap(t, h, len(model))
		}
	})
}

func checkHeap(t *testing.T, h timerHeap, want int) {
	t.Helper()
	if len(h) != want {
		t.Fatalf("heap has %d timers, model %d", len(h), want)
	}
	for i, tm := range h {
		if int(tm.pos) != i+1 {
			t.Fatalf("timer at %d records position %d", i, tm.pos)
		}
		if i > 0 && h.less(i, (i-1)/4) {
			t.Fatalf("heap order broken at %d", i)
		}
	}
}
