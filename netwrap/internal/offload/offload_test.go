package offload_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/internal/offload"
	"github.com/greenrt/green/threadpool"
)

// From a plain goroutine each helper calls fn directly; from a hub
// callback each returns hub.ErrNotCoroutine without calling it.
func TestCallers(t *testing.T) {
	h := testutil.NewHub(t)
	fn := func(context.Context) (int, error) { return 7, nil }
	if v, err := offload.Run(context.Background(), fn); v != 7 || err != nil {
		t.Errorf("Run: %v, %v", v, err)
	}
	if v, err := offload.Keep(fn, nil); v != 7 || err != nil {
		t.Errorf("Keep: %v, %v", v, err)
	}
	if v, err := offload.Complete(func() (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Errorf("Complete: %v, %v", v, err)
	}
	called := false
	var errs [3]error
	h.Call(func() {
		_, errs[0] = offload.Run(context.Background(), func(context.Context) (int, error) { called = true; return 0, nil })
		_, errs[1] = offload.Keep(func(context.Context) (int, error) { called = true; return 0, nil }, nil)
		_, errs[2] = offload.Complete(func() (int, error) { called = true; return 0, nil })
	})
	for i, err := range errs {
		if !errors.Is(err, hub.ErrNotCoroutine) {
			t.Errorf("helper %d in a hub callback: %v", i, err)
		}
	}
	if called {
		t.Error("a helper called fn from a hub callback")
	}
}

// Keep hands a result that arrives after its greenlet was killed to the
// discard function.
func TestKeepDiscardsLateResult(t *testing.T) {
	h := testutil.NewHub(t)
	release := make(chan struct{})
	discarded := make(chan int, 1)
	gl := green.SpawnOn(h.Hub, func() (int, error) {
		return offload.Keep(func(context.Context) (int, error) {
			<-release
			return 42, nil
		}, func(v int) { discarded <- v })
	})
	green.SpawnOn(h.Hub, green.Yield).Join()
	if err := gl.Kill(); err != nil || !gl.Killed() {
		t.Fatalf("kill: %v", err)
	}
	close(release)
	if v := <-discarded; v != 42 {
		t.Fatalf("discarded %d", v)
	}
}

// Complete keeps a killed greenlet parked until fn has returned (the kill
// waits for it), and a second kill meanwhile does not cut the wait short.
func TestCompleteWaitsForFn(t *testing.T) {
	h := testutil.NewHub(t)
	for _, kills := range []int{1, 2} {
		var running, returned atomic.Bool
		release := make(chan struct{})
		gl := green.SpawnOn(h.Hub, func() {
			offload.Complete(func() (int, error) {
				running.Store(true)
				<-release
				returned.Store(true)
				return 0, nil
			})
		})
		for !running.Load() {
			time.Sleep(time.Millisecond)
		}
		var wg sync.WaitGroup
		for range kills {
			wg.Add(1)
			go func() { defer wg.Done(); gl.KillWith(green.KillOptions{NoWait: true}) }()
		}
		wg.Wait()
		time.AfterFunc(20*time.Millisecond, func() { close(release) })
		gl.Join()
		if !gl.Killed() {
			t.Fatalf("%d kills: not killed: %v", kills, gl.Err())
		}
		if !returned.Load() {
			t.Fatalf("%d kills: the greenlet died before fn returned", kills)
		}
	}
}

// A Complete call still queued behind a busy pool when its greenlet is
// killed is dropped without running, and the kill does not wait.
func TestCompleteQueuedIsDropped(t *testing.T) {
	h := testutil.NewHub(t)
	tp := threadpool.Default()
	old := tp.Size()
	const n = 2
	tp.SetSize(n)
	defer tp.SetSize(old)
	release := make(chan struct{})
	var busy sync.WaitGroup
	var started sync.WaitGroup
	for range n {
		busy.Add(1)
		started.Add(1)
		go func() {
			defer busy.Done()
			threadpool.Call(func() (int, error) { started.Done(); <-release; return 0, nil })
		}()
	}
	started.Wait()
	var ran atomic.Bool
	gl := green.SpawnOn(h.Hub, func() {
		offload.Complete(func() (int, error) { ran.Store(true); return 0, nil })
	})
	green.SpawnOn(h.Hub, green.Yield).Join()
	if err := gl.Kill(); err != nil || !gl.Killed() {
		t.Fatalf("kill: %v", err)
	}
	close(release)
	busy.Wait()
	if ran.Load() {
		t.Fatal("a call dropped by its killed caller ran")
	}
}
