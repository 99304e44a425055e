package green

import (
	"errors"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

func TestCrossHubPrimitives(t *testing.T) {
	primCheckLeaks(t)
	h1, h2 := primNewHub(t), primNewHub(t)
	var e Event
	e.BindHub(h1)
	sem := NewSemaphore(0)
	sem.BindHub(h1)
	var r AsyncResult
	r.BindHub(h1)

	// A greenlet of h2 waits on h1's event; another greenlet of h2 sets it.
	w := SpawnOn(h2, func() error {
		if !e.WaitTimeout(time.Minute) {
			return errors.New("not set")
		}
		return nil
	})
	s := SpawnOn(h2, func() { Sleep(time.Millisecond); e.Set() })
	if err := w.Join(); err != nil {
		t.Fatal(err)
	}
	s.Join()

	// A greenlet of h2 killed while waiting for h1's semaphore takes no
	// permit, even if the permit arrives right after.
	a := SpawnOn(h2, func() { err := sem.Acquire(); t.Error("acquired", err) })
	if err := SpawnOn(h2, func() { Sleep(time.Millisecond); a.Kill() }).Join(); err != nil || !a.Dead() {
		t.Fatal("killer:", err, a)
	}
	sem.Release()
	if v := sem.Value(); v != 1 {
		t.Fatalf("permits: %d", v)
	}

	// Wait from h2 over objects of h1 and h2.
	local := new(Event)
	local.BindHub(h2)
	got := SpawnOn(h2, func() (any, error) {
		SpawnOn(h1, func() { Sleep(time.Millisecond); r.Set(1) })
		return WaitWith(WaitOptions{Count: 1}, local, &r), nil
	})
	v, err := got.Get()
	if err != nil {
		t.Fatal(err)
	}
	if ws := v.([]Waitable); len(ws) != 1 || ws[0] != &r {
		t.Fatal(ws)
	}
	if err := SpawnOn(h2, func() error { return new(Lock).Acquire() }).Join(); err != nil {
		t.Fatal("fresh lock bound to the caller's hub:", err)
	}
}

func TestHubStopEndsWaits(t *testing.T) {
	primCheckLeaks(t)
	h, err := hub.New(hub.Config{})
	if errors.Is(err, hub.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	q := NewQueue[int](0)
	q.BindHub(h)
	var e Event
	e.BindHub(h)
	g1 := SpawnOn(h, func() { q.Get() })
	g2 := SpawnOn(h, func() { e.Wait() })
	plain := make(chan error)
	release := h.Hold() // keep deadlock detection out of this test
	go func() { _, err := q.Get(); plain <- err }()
	SpawnOn(h, func() {}).Join() // g1 and g2 are parked by now
	h.Stop()
	release()
	for _, g := range []*Greenlet{g1, g2} {
		if err := g.Join(); !errors.Is(err, ErrHubStopped) {
			t.Errorf("greenlet: %v", err)
		}
	}
	if err := <-plain; !errors.Is(err, ErrHubStopped) {
		t.Errorf("plain goroutine: %v", err)
	}
	if err := q.Put(1); !errors.Is(err, ErrHubStopped) {
		t.Errorf("put after stop: %v", err)
	}
}
