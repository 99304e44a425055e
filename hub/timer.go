package hub

import "time"

// Timer is a one-shot timer owned by a hub. Its zero value is an inactive
// timer ready to be armed with Hub.StartTimer; it may be embedded in other
// structures so that arming it does not allocate. A Timer must only be used
// on its hub (from a greenlet of that hub or a hub callback).
type Timer struct {
	when int64  // monotonic nanoseconds (nanotime)
	seq  uint32 // arming order, for FIFO among equal deadlines (wraps)
	pos  int32  // 1 + index in the heap; 0 when inactive
	fn   func(any)
	arg  any
}

// Active reports whether the timer is armed and has not fired.
func (t *Timer) Active() bool { return t.pos != 0 }

// timerHeap is a 4-ary min-heap ordered by (when, seq): O(log n) add and
// remove, O(1) peek, and FIFO order among timers due at the same instant.
type timerHeap []*Timer

func (h timerHeap) less(i, j int) bool {
	a, b := h[i], h[j]
	return a.when < b.when || (a.when == b.when && int32(a.seq-b.seq) < 0)
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos = int32(i) + 1
	h[j].pos = int32(j) + 1
}

func (h timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 4
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) {
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if h.less(k, m) {
				m = k
			}
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
}

// push adds t. Growing the slice is a helper of its own, so that push's
// frame, under a greenlet parking with a timeout, stays small (issue 13).
func (h *timerHeap) push(t *Timer) {
	n := len(*h)
	if n == cap(*h) {
		h.grow()
	}
	*h = (*h)[:n+1]
	(*h)[n] = t
	t.pos = int32(n) + 1
	h.up(n)
}

//go:noinline
func (h *timerHeap) grow() { *h = append(*h, nil)[:len(*h)] }

func (h *timerHeap) remove(t *Timer) {
	old := *h
	i := int(t.pos) - 1
	last := len(old) - 1
	if i != last {
		old.swap(i, last)
	}
	old[last] = nil
	*h = old[:last]
	t.pos = 0
	if i != last {
		h.down(i)
		h.up(i)
	}
}

// StartTimer arms t to call fn(arg) on the hub loop after d (d <= 0 means on
// the next loop turn, after coroutines that are already ready). Re-arming an
// active timer moves it. It does not allocate. Hub-only.
func (h *Hub) StartTimer(t *Timer, d time.Duration, fn func(any), arg any) {
	h.mustOnHub()
	h.startTimer(t, d, fn, arg)
}

func (h *Hub) startTimer(t *Timer, d time.Duration, fn func(any), arg any) {
	t.fn, t.arg = fn, arg
	h.armTimer(t, d)
}

// armTimer is startTimer for a timer whose fn and arg are set: fewer
// arguments, for G.parkTimer, whose frame is under a greenlet parking
// with a timeout (issue 13).
func (h *Hub) armTimer(t *Timer, d time.Duration) {
	if t.pos != 0 {
		h.timers.remove(t)
	}
	if d < 0 {
		d = 0
	}
	now := nanotime()
	h.ext.now = now // a fresher stamp for the parks of this turn, for free
	t.when = now + int64(d)
	h.timerSeq++
	t.seq = h.timerSeq
	h.timers.push(t)
}

// StopTimer disarms t. It reports whether t was active. Hub-only.
func (h *Hub) StopTimer(t *Timer) bool {
	h.mustOnHub()
	return h.stopTimer(t)
}

func (h *Hub) stopTimer(t *Timer) bool {
	if t.pos == 0 {
		return false
	}
	h.timers.remove(t)
	t.fn, t.arg = nil, nil
	return true
}

// AfterFunc calls fn on the hub loop after d and returns the timer, which
// can be stopped with StopTimer. fn runs in the loop itself, not in a
// coroutine: it must not block or park. Hub-only; it allocates the Timer.
func (h *Hub) AfterFunc(d time.Duration, fn func()) *Timer {
	t := &Timer{}
	h.StartTimer(t, d, callFunc, fn)
	return t
}

func callFunc(arg any) { arg.(func())() }

// runTimers fires every timer due at now. It returns the number fired.
func (h *Hub) runTimers(now int64) int {
	n := 0
	for len(h.timers) > 0 {
		t := h.timers[0]
		if t.when > now {
			break
		}
		h.timers.remove(t)
		fn, arg := t.fn, t.arg
		t.fn, t.arg = nil, nil
		h.callback(fn, arg)
		n++
	}
	return n
}
