package hub

import (
	"runtime"
	"testing"
	"time"
)

// TestWorkerExitAndReuse runs many short coroutines with a tiny idle pool,
// so that workers exit all the time through the exit hand-over, and checks
// that every one ran and nothing leaked.
func TestWorkerExitAndReuse(t *testing.T) {
	for _, idle := range []int{-1, 1, 3} {
		before := runtime.NumGoroutine()
		h, err := New(Config{MaxIdleWorkers: idle})
		if err != nil {
			t.Fatal(err)
		}
		h.Start()
		const n = 200
		rs := make([]*fnRunner, n)
		count := 0
		h.Call(func() {
			for i := range rs {
				rs[i] = &fnRunner{done: make(chan struct{}), fn: func(g *G) {
					for k := 0; k < i%4; k++ {
						g.Yield()
					}
					if i%3 == 0 {
						g.Park(time.Microsecond)
					}
					count++
				}}
				rs[i].g.Init(h, rs[i])
				rs[i].g.Start()
			}
		})
		for _, r := range rs {
			<-r.done
		}
		var got int
		h.Call(func() { got = count })
		if got != n {
			t.Fatalf("idle=%d: %d of %d ran", idle, got, n)
		}
		h.Stop()
		for i := 0; i < 500 && runtime.NumGoroutine() > before; i++ {
			time.Sleep(2 * time.Millisecond)
		}
		if g := runtime.NumGoroutine(); g > before {
			t.Fatalf("idle=%d: %d goroutines leaked", idle, g-before)
		}
	}
}

func TestStopIdempotentAndFromHub(t *testing.T) {
	h, _ := New(Config{})
	h.Start()
	r := spawn(t, h, func(g *G) {
		if err := h.Stop(); err != nil {
			t.Error(err)
		}
		if g.Park(-1) == Interrupted {
			g.Raise()
		}
	})
	<-h.Done()
	<-r.done
	if err := h.Stop(); err != ErrStopped {
		t.Fatalf("second stop: %v", err)
	}
	if err := h.Start(); err != ErrStopped {
		t.Fatalf("start after stop: %v", err)
	}
	never, _ := New(Config{})
	if err := never.Stop(); err != nil {
		t.Fatal(err)
	}
}
