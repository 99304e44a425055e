package threadpool_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/pool"
	"github.com/greenrt/green/threadpool"
)

// newThreadPool returns a private pool closed at the end of the test
// (before the leak check of testutil.NewHub, which must be called first).
func newThreadPool(t *testing.T, size int) *threadpool.Pool {
	tp := mustNew(t, size)
	t.Cleanup(tp.Close)
	return tp
}

func mustNew(t *testing.T, size int) *threadpool.Pool {
	t.Helper()
	tp, err := threadpool.New(size)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// run runs fn in a greenlet of h and fails the test if it failed.
func run(t *testing.T, h *hub.Hub, fn func()) {
	t.Helper()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		t.Fatal(err)
	}
}

func TestCallValuesErrorsPanics(t *testing.T) {
	h := testutil.NewHub(t).Hub
	tp := newThreadPool(t, 2)
	bg := context.Background()
	run(t, h, func() {
		v, err := threadpool.CallOn(tp, bg, func(context.Context) (int, error) { return 42, nil })
		if v != 42 || err != nil {
			t.Fatal(v, err)
		}
		boom := errors.New("boom")
		if _, err := threadpool.CallOn(tp, bg, func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		func() {
			defer func() {
				pe, ok := recover().(*green.PanicError)
				if !ok || pe.Value != "deep" || !strings.Contains(string(pe.Stack), "offloadedPanic") {
					t.Fatalf("%v", pe)
				}
			}()
			threadpool.CallOn(tp, bg, offloadedPanic)
		}()
	})
	// From a plain goroutine.
	if v, err := threadpool.CallOn(tp, bg, func(context.Context) (string, error) { return "plain", nil }); v != "plain" || err != nil {
		t.Fatal(v, err)
	}
}

func offloadedPanic(context.Context) (int, error) { panic("deep") }

func TestCallHubKeepsServing(t *testing.T) {
	h := testutil.NewHub(t).Hub
	tp := newThreadPool(t, 1)
	release := make(chan struct{})
	ticks := 0
	run(t, h, func() {
		ticker := green.Spawn(func() {
			for ticks < 5 {
				ticks++
				green.Sleep(time.Microsecond)
			}
			close(release) // only after the others ran meanwhile
		})
		v, err := threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) {
			<-release // truly blocks a goroutine
			return ticks, nil
		})
		if v != 5 || err != nil {
			t.Fatal(v, err)
		}
		ticker.Join()
	})
}

func TestCallBounded(t *testing.T) {
	h := testutil.NewHub(t).Hub
	tp := newThreadPool(t, 2)
	var running, peak atomic.Int32
	gate := make(chan struct{})
	run(t, h, func() {
		g := pool.NewGroup()
		for range 6 {
			g.Spawn(func() {
				threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) {
					n := running.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					<-gate
					running.Add(-1)
					return 0, nil
				})
			})
		}
		green.Spawn(func() {
			for running.Load() < 2 {
				green.Sleep(time.Millisecond)
			}
			close(gate)
		})
		g.Join()
	})
	if peak.Load() != 2 {
		t.Fatal(peak.Load())
	}
}

func TestCallKillWaitingGreenlet(t *testing.T) {
	h := testutil.NewHub(t).Hub
	tp := newThreadPool(t, 1)
	entered := make(chan struct{})
	release := make(chan struct{})
	var finished, sawCancel atomic.Bool
	gl := green.SpawnOn(h, func() {
		threadpool.CallOn(tp, context.Background(), func(ctx context.Context) (int, error) {
			close(entered)
			<-release
			sawCancel.Store(ctx.Err() != nil)
			finished.Store(true)
			return 1, nil
		})
		t.Error("returned after the kill")
	})
	<-entered
	if err := gl.Kill(); err != nil || !gl.Killed() {
		t.Fatal(err)
	}
	// The function is still running on its goroutine; the greenlet is gone
	// and the hub is free (nothing holds it).
	if finished.Load() {
		t.Fatal("finished early")
	}
	close(release)
	tp.Close() // waits for the abandoned call: the goroutine is not leaked
	if !finished.Load() || !sawCancel.Load() {
		t.Fatal(finished.Load(), sawCancel.Load())
	}
}

func TestCallTimeoutAndContext(t *testing.T) {
	h := testutil.NewHub(t).Hub
	tp := newThreadPool(t, 1)
	run(t, h, func() {
		err := green.WithTimeout(time.Millisecond, func() {
			threadpool.CallOn(tp, context.Background(), func(ctx context.Context) (int, error) {
				<-ctx.Done() // released by the timeout's cancel
				return 0, ctx.Err()
			})
		})
		if !errors.Is(err, green.ErrTimeout) {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		green.Spawn(func() { green.Sleep(time.Millisecond); cancel() })
		gate := make(chan struct{})
		_, err = threadpool.CallOn(tp, ctx, func(context.Context) (int, error) {
			<-gate // ignores its context: returns after the caller gave up
			return 0, nil
		})
		close(gate)
		if !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		if _, err := threadpool.CallOn(tp, ctx, func(context.Context) (int, error) { return 0, nil }); !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
	})
	// Plain goroutine with a cancelled context.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(time.Millisecond); cancel() }()
	gate := make(chan struct{})
	_, err := threadpool.CallOn(tp, ctx, func(context.Context) (int, error) { <-gate; return 0, nil })
	close(gate)
	if !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestCallClosed(t *testing.T) {
	tp := mustNew(t, 0)
	if tp.Size() != threadpool.DefaultSize {
		t.Fatal(tp.Size())
	}
	tp.Close()
	tp.Close()
	if _, err := threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) { return 0, nil }); !errors.Is(err, threadpool.ErrClosed) {
		t.Fatal(err)
	}
}

func TestCallDefault(t *testing.T) {
	// The default pool's goroutines outlive the test: no leak check.
	h := testutil.NewHubNoLeakCheck(t).Hub
	run(t, h, func() {
		v, err := threadpool.Call(func() (int, error) { return 3, nil })
		if v != 3 || err != nil {
			t.Fatal(v, err)
		}
		s, err := threadpool.CallContext(context.Background(), func(context.Context) (string, error) { return "ok", nil })
		if s != "ok" || err != nil {
			t.Fatal(s, err)
		}
	})
}

func TestCallQueuedCallDropped(t *testing.T) {
	h := testutil.NewHub(t).Hub
	tp := newThreadPool(t, 1)
	gate := make(chan struct{})
	entered := make(chan struct{})
	var ran atomic.Bool
	first := green.SpawnOn(h, func() {
		threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) {
			close(entered)
			<-gate
			return 0, nil
		})
	})
	<-entered
	queued := green.SpawnOn(h, func() {
		threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) {
			ran.Store(true)
			return 0, nil
		})
	})
	for !queued.Started() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(time.Millisecond) // most likely queued by now; see below
	queued.Kill()
	close(gate)
	first.Join()
	tp.Close()
	// Killed before queueing, it never submitted; killed while queued,
	// its call was dropped: either way fn never ran.
	if ran.Load() {
		t.Fatal("a queued call ran after its caller gave up")
	}
}
