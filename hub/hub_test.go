package hub

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// fnRunner adapts a function to Runner for tests.
type fnRunner struct {
	g    G
	fn   func(g *G)
	err  error
	done chan struct{}
}

func (r *fnRunner) Run(g *G) {
	defer close(r.done)
	defer func() {
		if v := recover(); v != nil {
			if g.Raised() == v {
				r.err, _ = v.(error)
				return
			}
			panic(v)
		}
	}()
	if v := g.PendingInterrupt(); v != nil {
		r.err, _ = v.(error)
		return
	}
	r.fn(g)
}

func (r *fnRunner) Abort(g *G, err error) { r.err = err }

func spawn(t *testing.T, h *Hub, fn func(g *G)) *fnRunner {
	t.Helper()
	r := &fnRunner{fn: fn, done: make(chan struct{})}
	r.g.Init(h, r)
	if err := h.Call(func() { r.g.Start() }); err != nil {
		t.Fatal(err)
	}
	return r
}

func newHub(t *testing.T, cfg Config) *Hub {
	t.Helper()
	h, err := New(cfg)
	if errors.Is(err, ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Stop() })
	return h
}

func TestParkWakeOrder(t *testing.T) {
	h := newHub(t, Config{})
	var log []string
	var waiter *G
	var seq uint32
	a := spawn(t, h, func(g *G) {
		log = append(log, "a1")
		waiter, seq = g, g.Seq()
		if res := g.Park(-1); res != Woken {
			t.Errorf("park = %v", res)
		}
		log = append(log, "a2")
	})
	b := spawn(t, h, func(g *G) {
		log = append(log, "b1")
		g.Yield()
		log = append(log, "b2")
		if !waiter.Wake(seq) {
			t.Error("wake failed")
		}
		if waiter.Wake(seq) {
			t.Error("second wake succeeded")
		}
		log = append(log, "b3")
	})
	<-a.done
	<-b.done
	got := ""
	for _, s := range log {
		got += s + " "
	}
	if got != "a1 b1 b2 b3 a2 " {
		t.Fatalf("order %q", got)
	}
}

func TestParkTimeoutAndDeadlock(t *testing.T) {
	h := newHub(t, Config{ErrorHandler: func(error) {}})
	a := spawn(t, h, func(g *G) {
		if res := g.Park(time.Millisecond); res != TimedOut {
			t.Errorf("park = %v, want TimedOut", res)
		}
		if res := g.Park(-1); res == Interrupted {
			g.Raise()
		}
		t.Error("woke from a park nothing can end")
	})
	done := h.Waiting()
	<-a.done
	done()
	if !errors.Is(a.err, ErrDeadlock) {
		t.Fatalf("err = %v, want ErrDeadlock", a.err)
	}
}

func TestStopUnwinds(t *testing.T) {
	h, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	unwound := make(chan bool, 1)
	r := spawn(t, h, func(g *G) {
		defer func() { unwound <- true }()
		release := h.Hold()
		defer release()
		if g.Park(-1) == Interrupted {
			g.Raise()
		}
	})
	time.Sleep(time.Millisecond)
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	<-r.done
	if !<-unwound || !errors.Is(r.err, ErrStopped) {
		t.Fatalf("err = %v", r.err)
	}
	if err := h.Post(func() {}); !errors.Is(err, ErrStopped) {
		t.Fatalf("post after stop: %v", err)
	}
}

func BenchmarkYield(b *testing.B) {
	h, _ := New(Config{})
	h.Start()
	defer h.Stop()
	done := make(chan struct{})
	n := b.N
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < 2; i++ {
		r := &fnRunner{done: make(chan struct{}), fn: func(g *G) {
			for j := 0; j < n/2; j++ {
				g.Yield()
			}
		}}
		r.g.Init(h, r)
		h.Call(func() { r.g.Start() })
		go func() { <-r.done; done <- struct{}{} }()
	}
	<-done
	<-done
}

func TestInterruptedParkConsumesSeq(t *testing.T) {
	h := newHub(t, Config{})
	r := spawn(t, h, func(g *G) {
		g.Interrupt(ErrStopped)
		seq := g.Seq()
		if g.Park(-1) != Interrupted {
			t.Error("park with a pending interrupt did not return Interrupted")
		}
		g.ClearInterrupt(ErrStopped)
		if g.Seq() == seq {
			t.Error("an interrupted park kept its number: a stale Wake could end the next park")
		}
		if g.Wake(seq) {
			t.Error("stale wake accepted")
		}
	})
	<-r.done
}

// Regression: a park timer that fired just before an interrupt must not
// make a later park without a timeout report TimedOut.
func TestStaleTimedOutMark(t *testing.T) {
	h := newHub(t, Config{})
	var res1, res2 ParkResult = 99, 99
	errX := errors.New("x")
	r := spawn(t, h, func(g *G) {
		h.AfterFunc(0, func() { time.Sleep(10 * time.Millisecond) }) // both timers below fire in one turn
		h.AfterFunc(2*time.Millisecond, func() { g.Interrupt(errX) })
		func() {
			defer func() { recover() }()
			if res1 = g.Park(time.Millisecond); res1 == Interrupted {
				g.Raise()
			}
		}()
		seq := g.Seq()
		h.AfterFunc(time.Millisecond, func() { g.Wake(seq) })
		res2 = g.Park(-1)
	})
	<-r.done
	if res1 == Interrupted && res2 != Woken {
		t.Fatalf("second park = %v, want Woken", res2)
	}
}

// TestLockOSThreadRefused: a coroutine that parks while locked to its
// thread fails with ErrLockedThread instead of ending the process, and the
// hub goes on.
func TestLockOSThreadRefused(t *testing.T) { checkLockRefused(t) }

// checkLockRefused checks that a coroutine that locked its thread fails
// with ErrLockedThread at its next switch, and that its hub goes on.
func checkLockRefused(t *testing.T) {
	t.Helper()
	h := newHub(t, Config{})
	for _, sw := range []func(g *G){
		func(g *G) { g.Yield() },
		func(g *G) { g.Park(time.Millisecond) },
	} {
		res := make(chan any, 1)
		spawn(t, h, func(g *G) {
			defer func() { res <- recover() }()
			runtime.LockOSThread()
			sw(g)
		})
		if r := <-res; r != ErrLockedThread {
			t.Fatalf("recovered %v, want ErrLockedThread", r)
		}
	}
	r := spawn(t, h, func(g *G) { g.Yield(); g.Park(time.Millisecond) })
	<-r.done
	if r.err != nil {
		t.Fatal(r.err)
	}
}
