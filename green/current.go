package green

import (
	"runtime"
	"time"

	"github.com/greenrt/green/hub"
)

// current returns the calling greenlet and its hub. g is nil for a plain
// goroutine (h nil) or for a hub loop callback (h set).
func current() (*Greenlet, *hub.G, *hub.Hub) {
	g, h := hub.Current()
	if g == nil {
		return nil, nil, h
	}
	gl, _ := g.Runner().(*Greenlet)
	return gl, g, h
}

// blockingCaller returns the calling greenlet's G and hub, or nil, nil for
// a plain goroutine. It panics with hub.ErrNotCoroutine in a hub callback,
// which must never block.
func blockingCaller() (*hub.G, *hub.Hub) {
	g, h := hub.Current()
	if g == nil && h != nil {
		panic(hub.ErrNotCoroutine)
	}
	return g, h
}

// Current returns the calling greenlet, or nil in a plain goroutine (or a
// hub callback, or a coroutine that is not a Greenlet).
func Current() *Greenlet {
	gl, _, _ := current()
	return gl
}

// Sleep pauses the calling greenlet for d, letting others run (gevent's
// sleep). Sleep(0) is Yield. In a plain goroutine it is time.Sleep. A kill
// or an expired Timeout interrupts it.
func Sleep(d time.Duration) {
	g, _ := blockingCaller()
	if g == nil {
		time.Sleep(d)
		return
	}
	if d <= 0 {
		g.Yield()
		return
	}
	for {
		g.SetWaitingOn(nil, hub.WaitSleep)
		switch g.Park(d) {
		case hub.TimedOut:
			return
		case hub.Interrupted:
			g.Raise()
		}
	}
}

// Yield lets every other ready greenlet of the hub run before the caller
// resumes (gevent's sleep(0)). In a plain goroutine it is runtime.Gosched.
func Yield() {
	g, _ := blockingCaller()
	if g == nil {
		runtime.Gosched()
		return
	}
	g.Yield()
}

// Idle parks the calling greenlet until the hub has nothing else ready to
// run (gevent's idle()). In a plain goroutine it is runtime.Gosched.
func Idle() {
	g, h := blockingCaller()
	if g == nil {
		runtime.Gosched()
		return
	}
	h.Idle(g)
}
