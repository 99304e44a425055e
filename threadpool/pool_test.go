package threadpool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/threadpool"
)

// TestCallNeverStallsTheHub fills a pool of 2 with calls that block for
// 300 ms and then offloads a third one: handing it over must not block the
// hub until a goroutine frees up (the ticker keeps ticking: a blocked
// hand-off would stop it for about 300 ms).
func TestCallNeverStallsTheHub(t *testing.T) {
	th := testutil.NewHub(t)
	tp := newThreadPool(t, 2)
	const step = 300 * time.Millisecond
	var started atomic.Int32
	block := func(context.Context) (int, error) {
		started.Add(1)
		time.Sleep(step)
		return 0, nil
	}
	gs := []*green.Greenlet{
		green.SpawnOn(th.Hub, func() { threadpool.CallOn(tp, context.Background(), block) }),
		green.SpawnOn(th.Hub, func() { threadpool.CallOn(tp, context.Background(), block) }),
	}
	waitFor(t, func() bool { return started.Load() == 2 })
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	gs = append(gs, green.SpawnOn(th.Hub, func() { threadpool.CallOn(tp, context.Background(), block) }))
	green.JoinAll(gs...)
	if gap := gt.Stop(); gap > step/2 {
		t.Errorf("the hub's largest gap was %v while a call queued behind %v ones", gap, step)
	}
}

// TestCallManyThroughFew runs 200 greenlets' calls through a pool of 4: every call
// runs, at most 4 at a time.
func TestCallManyThroughFew(t *testing.T) {
	th := testutil.NewHub(t)
	tp := newThreadPool(t, 4)
	const n = 200
	var running, peak, done atomic.Int32
	run(t, th.Hub, func() {
		var gs []*green.Greenlet
		for range n {
			gs = append(gs, green.Spawn(func() error {
				_, err := threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) {
					r := running.Add(1)
					for p := peak.Load(); r > p && !peak.CompareAndSwap(p, r); p = peak.Load() {
					}
					time.Sleep(time.Millisecond)
					running.Add(-1)
					done.Add(1)
					return 0, nil
				})
				return err
			}))
		}
		if _, err := green.JoinAllWith(green.JoinOptions{StopOnError: true}, gs...); err != nil {
			t.Error(err)
		}
	})
	if done.Load() != n || peak.Load() > 4 {
		t.Fatalf("%d calls done, %d at most at once (want %d, <= 4)", done.Load(), peak.Load(), n)
	}
}

func TestSetSize(t *testing.T) {
	th := testutil.NewHub(t)
	tp := newThreadPool(t, 1)
	if err := tp.SetSize(-1); !errors.Is(err, threadpool.ErrBadSize) {
		t.Fatal(err)
	}
	if _, err := threadpool.New(-1); !errors.Is(err, threadpool.ErrBadSize) {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	var started atomic.Int32
	gs := make([]*green.Greenlet, 3)
	for i := range gs {
		gs[i] = green.SpawnOn(th.Hub, func() {
			threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) {
				started.Add(1)
				<-gate
				return 0, nil
			})
		})
	}
	waitFor(t, func() bool { r, q := tp.Stats(); return r == 1 && q == 2 })
	if err := tp.SetSize(3); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return started.Load() == 3 })
	if tp.Size() != 3 {
		t.Fatal(tp.Size())
	}
	close(gate)
	green.JoinAll(gs...)
	if err := tp.SetSize(0); err != nil || tp.Size() != threadpool.DefaultSize {
		t.Fatal(err, tp.Size())
	}
}

func TestBadArguments(t *testing.T) {
	if _, err := threadpool.Call[int](nil); !errors.Is(err, threadpool.ErrNilFunc) {
		t.Fatal(err)
	}
	if err := threadpool.Do(nil); !errors.Is(err, threadpool.ErrNilFunc) {
		t.Fatal(err)
	}
	if _, err := threadpool.CallOn[int](nil, context.Background(), nil); !errors.Is(err, threadpool.ErrNilFunc) {
		t.Fatal(err)
	}
}

func TestDoFromCallbackPanics(t *testing.T) {
	th := testutil.NewHub(t)
	got := make(chan any, 1)
	th.Hub.Post(func() {
		defer func() { got <- recover() }()
		threadpool.Do(func() {})
	})
	if r := <-got; r == nil {
		t.Fatal("Do in a hub callback did not panic")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 5000 && !cond(); i++ {
		time.Sleep(time.Millisecond)
	}
	if !cond() {
		t.Fatal("condition never held")
	}
}

func TestIdleGoroutinesExit(t *testing.T) {
	testutil.CheckLeaks(t)
	tp := mustNew(t, 8)
	tp.SetIdleTimeout(5 * time.Millisecond)
	for range 8 {
		go threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) {
			time.Sleep(time.Millisecond)
			return 0, nil
		})
	}
	// Once idle, they exit without Close: the leak check passes.
	waitFor(t, func() bool { r, q := tp.Stats(); return r == 0 && q == 0 })
}
