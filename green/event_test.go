package green

import (
	"errors"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

func TestEventSemantics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *Event)
	}{
		{"wakes all waiters in FIFO order", func(t *testing.T, e *Event) {
			var order []int
			var gs []*Greenlet
			for i := range 5 {
				gs = append(gs, Spawn(func() {
					if !e.WaitTimeout(time.Hour) {
						t.Error("wait returned false")
					}
					order = append(order, i)
				}))
			}
			settle()
			e.Set()
			JoinAll(gs...)
			for i, v := range order {
				if v != i {
					t.Fatalf("order %v", order)
				}
			}
			if len(order) != 5 {
				t.Fatalf("order %v", order)
			}
		}},
		{"set then clear still wakes every waiter", func(t *testing.T, e *Event) {
			got := make([]bool, 3)
			var gs []*Greenlet
			for i := range got {
				gs = append(gs, Spawn(func() { got[i] = e.WaitTimeout(time.Hour) }))
			}
			settle()
			e.Set()
			e.Clear()
			JoinAll(gs...)
			for i, ok := range got {
				if !ok {
					t.Errorf("waiter %d: false", i)
				}
			}
			if e.IsSet() {
				t.Error("still set")
			}
		}},
		{"timeout returns false", func(t *testing.T, e *Event) {
			if e.WaitTimeout(0) {
				t.Error("WaitTimeout(0) on a clear event")
			}
			if e.WaitTimeout(time.Millisecond) {
				t.Error("timed-out wait returned true")
			}
			e.Set()
			if !e.WaitTimeout(0) || e.Wait() != nil {
				t.Error("set event")
			}
		}},
		{"kill interrupts the wait", func(t *testing.T, e *Event) {
			w := Spawn(func() { e.Wait(); t.Error("woke") })
			settle()
			if err := w.Kill(); err != nil || !w.Killed() {
				t.Fatal(err, w)
			}
			if !e.waiters.Empty() {
				t.Error("killed waiter still registered")
			}
		}},
		{"Timeout interrupts the wait", func(t *testing.T, e *Event) {
			err := WithTimeout(time.Millisecond, func() { e.Wait() })
			if !errors.Is(err, ErrTimeout) {
				t.Fatal(err)
			}
			if !e.waiters.Empty() {
				t.Error("timed-out waiter still registered")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := primHub(t)
			e := new(Event)
			if err := e.BindHub(h); err != nil {
				t.Fatal(err)
			}
			primRun(t, h, func() { tt.fn(t, e) })
		})
	}
}

func TestEventDeadlock(t *testing.T) {
	h := primHub(t)
	e := new(Event)
	gl := SpawnOn(h, func() { e.Wait() })
	if err := gl.Join(); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("got %v, want ErrDeadlock", err)
	}
}

func TestEventBridge(t *testing.T) {
	h := primHub(t)
	var e Event
	e.BindHub(h)
	h2, _ := hub.New(hub.Config{})
	defer h2.Stop()
	if e.BindHub(h2) != ErrWrongHub {
		t.Error("rebinding to another hub succeeded")
	}
	// Plain goroutine sets, greenlets wait.
	release := h.Hold()
	var gs []*Greenlet
	for range 10 {
		gs = append(gs, SpawnOn(h, func() error {
			if !e.WaitTimeout(time.Hour) {
				return errors.New("not set")
			}
			return nil
		}))
	}
	go func() {
		defer release()
		time.Sleep(time.Millisecond)
		e.Set()
	}()
	if _, err := JoinAllWith(JoinOptions{StopOnError: true}, gs...); err != nil {
		t.Fatal(err)
	}
	// Greenlet sets, plain goroutines wait.
	e.Clear()
	if e.WaitTimeout(time.Millisecond) {
		t.Fatal("plain WaitTimeout on a clear event")
	}
	done := make(chan bool, 4)
	for range 4 {
		go func() { done <- e.WaitTimeout(time.Minute) }()
	}
	SpawnOn(h, func() { Sleep(time.Millisecond); e.Set() })
	for range 4 {
		if !<-done {
			t.Fatal("plain waiter got false")
		}
	}
	// A hub callback must not wait.
	panicked := make(chan any, 1)
	h.Post(func() {
		defer func() { panicked <- recover() }()
		e.Clear()
		e.WaitTimeout(time.Second)
	})
	if v := <-panicked; v != hub.ErrNotCoroutine {
		t.Fatalf("callback wait: %v", v)
	}
}

func TestEventStoppedHub(t *testing.T) {
	h, err := hub.New(hub.Config{})
	if errors.Is(err, hub.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	var e Event
	e.BindHub(h)
	h.Stop()
	if err := e.Set(); !errors.Is(err, ErrHubStopped) {
		t.Fatal(err)
	}
	if err := e.Wait(); !errors.Is(err, ErrHubStopped) {
		t.Fatal(err)
	}
}
