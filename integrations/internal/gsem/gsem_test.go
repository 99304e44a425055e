package gsem

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
)

func TestFIFOAndHandOff(t *testing.T) {
	h := testutil.NewHub(t)
	s := New(1)
	if !s.TryAcquire() || s.TryAcquire() {
		t.Fatal("TryAcquire on 1 permit")
	}
	var order []int
	gs := make([]*green.Greenlet, 5)
	for i := range gs {
		gs[i] = green.SpawnOn(h.Hub, func() error {
			if err := s.Acquire(context.Background()); err != nil {
				return err
			}
			order = append(order, i)
			green.Sleep(time.Millisecond)
			s.Release()
			return nil
		})
		time.Sleep(2 * time.Millisecond) // queue them in order
	}
	s.Release() // from a plain goroutine
	green.JoinAll(gs...)
	for i, g := range gs {
		if g.Err() != nil {
			t.Fatal(g.Err())
		}
		if order[i] != i {
			t.Fatalf("order %v", order)
		}
	}
	if s.Free() != 1 {
		t.Fatalf("free = %d", s.Free())
	}
}

func TestContext(t *testing.T) {
	h := testutil.NewHub(t)
	s := New(0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	g := green.SpawnOn(h.Hub, func() error { return s.Acquire(ctx) })
	g.Join()
	if !errors.Is(g.Err(), context.DeadlineExceeded) {
		t.Fatalf("greenlet: %v", g.Err())
	}
	if err := s.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) { // plain goroutine, ended ctx
		t.Fatalf("goroutine: %v", err)
	}
	if gap := gt.Stop(); gap > 15*time.Millisecond {
		t.Errorf("gap %v while waiting", gap)
	}
	s.Release() // the cancelled waiters are skipped
	if s.Free() != 1 {
		t.Fatalf("free = %d", s.Free())
	}
}

func TestKillWhileWaiting(t *testing.T) {
	h := testutil.NewHub(t)
	s := New(0)
	g := green.SpawnOn(h.Hub, func() error { return s.Acquire(context.Background()) })
	time.Sleep(10 * time.Millisecond)
	g.Kill()
	if !g.Dead() {
		t.Fatal("not dead")
	}
	s.Release()
	if s.Free() != 1 {
		t.Fatalf("free = %d after the killed waiter", s.Free())
	}
}

// Greenlets of two hubs and plain goroutines share permits without losing
// any.
func TestMixed(t *testing.T) {
	hs := testutil.NewHubs(t, 2)
	s := New(3)
	inUse, maxInUse := 0, 0
	var mu sync.Mutex
	work := func() error {
		if err := s.Acquire(context.Background()); err != nil {
			return err
		}
		mu.Lock()
		inUse++
		maxInUse = max(maxInUse, inUse)
		mu.Unlock()
		green.Sleep(100 * time.Microsecond)
		mu.Lock()
		inUse--
		mu.Unlock()
		s.Release()
		return nil
	}
	var gs []*green.Greenlet
	for i := 0; i < 100; i++ {
		gs = append(gs, green.SpawnOn(hs[i%2].Hub, func() error {
			for j := 0; j < 10; j++ {
				if err := work(); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				work()
			}
		}()
	}
	green.JoinAll(gs...)
	wg.Wait()
	for _, g := range gs {
		if g.Err() != nil {
			t.Fatal(g.Err())
		}
	}
	if maxInUse > 3 || s.Free() != 3 {
		t.Fatalf("max in use %d, free %d", maxInUse, s.Free())
	}
}
