package pool

import (
	"errors"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

func TestNewPoolNegative(t *testing.T) {
	if p, err := NewPool(-1); !errors.Is(err, ErrNegativeSize) || p != nil {
		t.Fatal(p, err)
	}
}

func TestPoolSizeZeroAlwaysFull(t *testing.T) {
	h := newHub(t)
	p, err := NewPoolOn(h, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Full() || p.Free() != 0 || p.Size() != 0 {
		t.Fatal(p.Free())
	}
	gl := green.NewOn(h, func() {})
	if err := p.TryAdd(gl); !errors.Is(err, ErrPoolFull) {
		t.Fatal(err)
	}
	if err := p.AddTimeout(gl, time.Millisecond); !errors.Is(err, ErrPoolFull) {
		t.Fatal(err)
	}
	if _, err := p.TrySpawn(sleeper); !errors.Is(err, ErrPoolFull) {
		t.Fatal(err)
	}
	if n := p.WaitAvailableTimeout(time.Millisecond); n != 0 {
		t.Fatal(n)
	}
	run(t, h, func() {
		if err := p.AddTimeout(gl, time.Millisecond); !errors.Is(err, ErrPoolFull) {
			t.Error(err)
		}
		// A blocking Spawn waits forever: bound it with a green timeout.
		err := green.WithTimeout(time.Millisecond, func() { p.Spawn(sleeper) })
		if !errors.Is(err, green.ErrTimeout) {
			t.Error(err)
		}
	})
	if p.Len() != 0 || p.Free() != 0 {
		t.Fatal(p.Len())
	}
}

func TestPoolBlockingSpawn(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 2)
	run(t, h, func() {
		a := p.Spawn(sleeper)
		b := p.Spawn(sleeper)
		if !p.Full() || p.Free() != 0 || p.Len() != 2 {
			t.Fatal(p.Free(), p.Len())
		}
		if _, err := p.TrySpawn(sleeper); !errors.Is(err, ErrPoolFull) {
			t.Fatal(err)
		}
		var third *green.Greenlet
		spawner := green.Spawn(func() { third = p.Spawn(sleeper) })
		yields(5)
		if spawner.Dead() || third != nil {
			t.Fatal("Spawn did not wait on a full pool")
		}
		a.Kill()
		spawner.Join()
		if third == nil || !p.Contains(third) || p.Len() != 2 || !p.Contains(b) {
			t.Fatal(p.Members())
		}
		if err := p.Kill(); err != nil || p.Len() != 0 || p.Free() != 2 {
			t.Fatal(err, p.Len(), p.Free())
		}
	})
}

func TestPoolFromPlainGoroutine(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 1)
	a := p.Spawn(sleeper)
	if err := p.AddTimeout(green.NewOn(h, func() {}), time.Millisecond); !errors.Is(err, ErrPoolFull) {
		t.Fatal(err)
	}
	done := make(chan *green.Greenlet)
	go func() { done <- p.Spawn(func() {}) }() // blocks until a leaves
	a.Kill()
	b := <-done
	b.Join()
	p.Join()
	if p.Free() != 1 {
		t.Fatal(p.Free())
	}
}

func TestPoolKillWhileWaitingForSlot(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 1)
	run(t, h, func() {
		a := p.Spawn(sleeper)
		var got []*green.Greenlet
		w1 := green.Spawn(func() { got = append(got, p.Spawn(func() {})) })
		w2 := green.Spawn(func() { got = append(got, p.Spawn(func() {})) })
		yields(2)
		// w1 is first in line; killing it must pass its turn to w2.
		if err := w1.Kill(); err != nil || !w1.Killed() {
			t.Fatal(err)
		}
		a.Kill()
		w2.Join()
		if len(got) != 1 {
			t.Fatalf("got %d spawns", len(got))
		}
		p.Join()
		if p.Free() != 1 {
			t.Fatal(p.Free())
		}
	})
}

func TestPoolWaitAvailable(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 3)
	run(t, h, func() {
		if n := p.WaitAvailable(); n != 3 {
			t.Fatal(n)
		}
		gs := []*green.Greenlet{p.Spawn(sleeper), p.Spawn(sleeper), p.Spawn(sleeper)}
		if n := p.WaitAvailableTimeout(time.Millisecond); n != 0 {
			t.Fatal(n)
		}
		waiter := green.Spawn(func() any { return p.WaitAvailable() })
		yields(2)
		gs[1].Kill()
		if v, _ := waiter.Get(); v != 1 {
			t.Fatal(v)
		}
		// The slot was not taken by WaitAvailable.
		if p.Free() != 1 {
			t.Fatal(p.Free())
		}
		green.KillAll(gs...)
	})
}

func TestPoolBoundsConcurrency(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 4)
	running, peak := 0, 0
	work := func() {
		running++
		peak = max(peak, running)
		yields(3)
		running--
	}
	run(t, h, func() {
		for range 40 {
			p.Spawn(work)
		}
		p.Join()
	})
	if peak != 4 {
		t.Fatalf("peak %d, want 4", peak)
	}
}

func TestPoolFullDeadlockDetected(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 0)
	// Nothing can ever free a slot: the hub interrupts the parked spawner
	// with ErrDeadlock (gevent's LoopExit) since we wait for it from here.
	gl := green.SpawnOn(h, func() { p.Spawn(func() {}) })
	if err := gl.Join(); !errors.Is(err, green.ErrDeadlock) {
		t.Fatal(err)
	}
	if p.Len() != 0 || p.Free() != 0 {
		t.Fatal(p.Len(), p.Free())
	}
}

func TestPoolConcurrentPlainSpawners(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 3)
	running, peak, total := 0, 0, 0 // touched only by greenlets of h
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 25 {
				p.Spawn(func() {
					running++
					peak = max(peak, running)
					total++
					yields(2)
					running--
				})
			}
		}()
	}
	for range 4 {
		<-done
	}
	p.Join()
	run(t, h, func() {
		if peak > 3 || total != 100 {
			t.Errorf("peak %d, total %d", peak, total)
		}
	})
	if p.Free() != 3 {
		t.Fatal(p.Free())
	}
}

func TestPoolAddTimeoutSucceedsWhenFreed(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 1)
	run(t, h, func() {
		a := p.Spawn(sleeper)
		green.Spawn(func() { yields(2); a.Kill() })
		b := green.New(sleeper)
		if err := p.AddTimeout(b, time.Hour); err != nil || !p.Contains(b) {
			t.Fatal(err)
		}
		// Killed with an error of its own, an Apply task reports both.
		stop := errors.New("stop")
		b.Start()
		yields(1)
		b.KillWith(green.KillOptions{Err: stop})
		_, err := Apply(p, func() (int, error) {
			green.Spawn(func() { p.KillWith(green.KillOptions{Err: stop, NoWait: true}) })
			sleeper()
			return 0, nil
		})
		if !errors.Is(err, ErrTaskKilled) || !errors.Is(err, stop) {
			t.Fatal(err)
		}
	})
}
