package hub

import "time"

// RepeatTimer is a timer that fires again and again: gevent's
// loop.timer(after, repeat). Make one with Hub.Repeat.
type RepeatTimer struct {
	h       *Hub
	t       Timer
	every   time.Duration
	fn      func()
	stopped bool
}

// Repeat calls fn on the hub loop after `after`, then every `every` (each
// time `every` after the previous call ended), until Stop. every <= 0
// fires once (libev's repeat of 0). fn runs in the loop itself: it must
// not park (it may Spawn). Hub-only; it allocates the RepeatTimer once,
// nothing per firing.
func (h *Hub) Repeat(after, every time.Duration, fn func()) *RepeatTimer {
	r := &RepeatTimer{h: h, every: every, fn: fn}
	h.StartTimer(&r.t, after, fireRepeat, r)
	return r
}

func fireRepeat(arg any) {
	r := arg.(*RepeatTimer)
	if r.stopped {
		return
	}
	if r.fn != nil {
		r.fn()
	}
	if r.every > 0 && !r.stopped {
		r.h.startTimer(&r.t, r.every, fireRepeat, r)
	}
}

// Stop disarms the timer: fn is not called again (Stop inside fn included).
// It reports whether the timer was still repeating. Hub-only.
func (r *RepeatTimer) Stop() bool {
	r.h.mustOnHub()
	was := !r.stopped && (r.t.pos != 0 || r.every > 0)
	r.stopped = true
	r.h.stopTimer(&r.t)
	return was
}

// Active reports whether the timer will fire again. Hub-only.
func (r *RepeatTimer) Active() bool { return !r.stopped && r.t.pos != 0 }
