package green

import (
	"errors"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

func TestJoinAllOptions(t *testing.T) {
	th := newTestHub(t)
	mk := func(ms int, err error) *Greenlet {
		return SpawnOn(th.Hub, func() error {
			Sleep(time.Duration(ms) * time.Millisecond)
			return err
		})
	}
	// Completion order, already-dead ones first.
	dead := mk(0, nil)
	dead.Join()
	a, b := mk(20, nil), mk(5, nil)
	done := JoinAll(a, b, dead, nil, a)
	if len(done) != 3 || done[0] != dead || done[1] != b || done[2] != a {
		t.Fatalf("order %v", done)
	}
	// Count.
	x, y := mk(1, nil), mk(1000, nil)
	got, err := JoinAllWith(JoinOptions{Count: 1}, y, x)
	if err != nil || len(got) != 1 || got[0] != x {
		t.Fatalf("count: %v %v", got, err)
	}
	// Timeout.
	got, err = JoinAllWith(JoinOptions{Timeout: 5 * time.Millisecond}, y)
	if !errors.Is(err, ErrTimeout) || len(got) != 0 {
		t.Fatalf("timeout: %v %v", got, err)
	}
	// Stop on error.
	f := mk(1, errBoom)
	got, err = JoinAllWith(JoinOptions{StopOnError: true}, y, f)
	if !errors.Is(err, errBoom) || len(got) != 1 {
		t.Fatalf("stop on error: %v %v", got, err)
	}
	y.Kill()
	// The same from inside a greenlet.
	th.run(t, func() {
		p, q := Spawn(Sleep, 10*time.Millisecond), Spawn(Sleep, time.Millisecond)
		if got := JoinAll(p, q); len(got) != 2 || got[0] != q {
			t.Errorf("in greenlet: %v", got)
		}
		r := Spawn(Sleep, time.Hour)
		if _, err := JoinAllWith(JoinOptions{Timeout: time.Millisecond}, r); !errors.Is(err, ErrTimeout) {
			t.Errorf("in greenlet timeout: %v", err)
		}
		r.Kill()
	})
}

func TestJoinAndGet(t *testing.T) {
	th := newTestHub(t)
	release := new(Event)
	hold := th.Hold() // this goroutine sets release later
	defer hold()
	g := SpawnOn(th.Hub, func() (any, error) {
		release.Wait()
		return "v", errBoom
	})
	if _, err := g.GetTimeout(0); !errors.Is(err, ErrTimeout) {
		t.Fatalf("non-blocking get: %v", err)
	}
	if err := g.JoinTimeout(time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("join timeout: %v", err)
	}
	release.Set()
	v, err := g.Get()
	if v != nil || !errors.Is(err, errBoom) { // a failed greenlet has no value
		t.Fatal(v, err)
	}
	self := SpawnOn(th.Hub, func() error { return Current().Join() })
	if err := self.Join(); !errors.Is(err, ErrJoinSelf) {
		t.Fatalf("self join: %v", err)
	}
}

func TestCrossHubJoin(t *testing.T) {
	hubs := newTestHubs(t, 2)
	a, b := hubs[0], hubs[1]
	gb := SpawnOn(b.Hub, func() any { Sleep(2 * time.Millisecond); return "from b" })
	ga := SpawnOn(a.Hub, func() (any, error) { return gb.Get() })
	if v, err := ga.Get(); v != "from b" || err != nil {
		t.Fatal(v, err)
	}
}

func TestDeadlockDetected(t *testing.T) {
	th := newTestHub(t)
	// Two greenlets join each other: nothing can ever wake them.
	var g1, g2 *Greenlet
	g1 = NewOn(th.Hub, func() error { Sleep(time.Millisecond); return g2.Join() })
	g2 = NewOn(th.Hub, func() error { return g1.Join() })
	g1.Start()
	g2.Start()
	err := g1.Join()
	if !errors.Is(err, ErrDeadlock) {
		t.Fatalf("g1: %v, want ErrDeadlock", err)
	}
	// g2 was parked longest and was interrupted first; g1 then failed
	// joining it, or the other way round: both end, one with
	// ErrDeadlock, and the error names the problem.
	if err := g2.Join(); err == nil {
		t.Fatal("g2 succeeded")
	}
	if errs := th.reported(); len(errs) == 0 {
		t.Error("deadlock not reported")
	}
	if !errors.Is(ErrDeadlock, hub.ErrDeadlock) {
		t.Fatal("sentinel")
	}
}

func TestNoDeadlockWhileHeld(t *testing.T) {
	th := newTestHub(t)
	release := th.Hold()
	wake := NewOn(th.Hub, func() {})
	waiter := SpawnOn(th.Hub, func() error { return wake.Join() })
	go func() {
		time.Sleep(5 * time.Millisecond)
		wake.Start()
		release()
	}()
	if err := waiter.Join(); err != nil {
		t.Fatalf("held hub reported %v", err)
	}
}

// Regression: greenlets of two hubs joining each other's greenlets at the
// same moment must not wedge both hubs.
func TestCrossHubMutualJoin(t *testing.T) {
	hubs := newTestHubs(t, 2)
	a, b := hubs[0], hubs[1]
	ta, tb := SpawnOn(a.Hub, Sleep, time.Hour), SpawnOn(b.Hub, Sleep, time.Hour)
	start := make(chan struct{})
	ja := SpawnOn(a.Hub, func() error { <-start; return tb.JoinTimeout(10 * time.Millisecond) })
	jb := SpawnOn(b.Hub, func() error { <-start; return ta.JoinTimeout(10 * time.Millisecond) })
	ka := SpawnOn(a.Hub, func() ([]*Greenlet, error) {
		return JoinAllWith(JoinOptions{Timeout: 10 * time.Millisecond}, tb)
	})
	close(start)
	for _, g := range []*Greenlet{ja, jb, ka} {
		if err := g.Join(); !errors.Is(err, ErrTimeout) {
			t.Fatalf("cross-hub join: %v, want ErrTimeout", err)
		}
	}
	KillAll(ta, tb)
}
