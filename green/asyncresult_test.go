package green

import (
	"errors"
	"testing"
	"time"
)

func TestAsyncResultSemantics(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   func(t *testing.T, r *AsyncResult)
	}{
		{"set wakes every getter", func(t *testing.T, r *AsyncResult) {
			var gs []*Greenlet
			for range 3 {
				gs = append(gs, Spawn(func() (any, error) { return r.Get() }))
			}
			settle()
			if r.Ready() {
				t.Error("ready before set")
			}
			r.Set(42)
			for _, g := range gs {
				if v, err := g.Get(); v != 42 || err != nil {
					t.Error(v, err)
				}
			}
			if !r.Ready() || !r.Successful() || r.Value() != 42 || r.Err() != nil {
				t.Error("state")
			}
		}},
		{"set error", func(t *testing.T, r *AsyncResult) {
			g := Spawn(func() (any, error) { return r.Get() })
			settle()
			r.SetError(boom)
			if _, err := g.Get(); err != boom {
				t.Error(err)
			}
			if r.Successful() || r.Err() != boom || !r.Ready() {
				t.Error("state")
			}
		}},
		{"timeouts", func(t *testing.T, r *AsyncResult) {
			if _, err := r.GetNowait(); err != ErrTimeout {
				t.Error(err)
			}
			if _, err := r.GetTimeout(time.Millisecond); err != ErrTimeout {
				t.Error(err)
			}
			if r.Wait(time.Millisecond) {
				t.Error("Wait true")
			}
			r.Set(nil)
			if !r.Wait(0) {
				t.Error("Wait false")
			}
		}},
		{"kill interrupts get", func(t *testing.T, r *AsyncResult) {
			g := Spawn(func() { r.Get(); t.Error("returned") })
			settle()
			g.Kill()
			if !r.waiters.Empty() {
				t.Error("waiter left")
			}
		}},
		{"link target", func(t *testing.T, r *AsyncResult) {
			g := Spawn(func() (any, error) { return "v", nil })
			g.RawLink(r.SetFrom)
			if v, err := r.Get(); v != "v" || err != nil {
				t.Error(v, err)
			}
			var r2 AsyncResult
			f := Spawn(func() error { return boom })
			f.Link(r2.SetFrom)
			if _, err := r2.Get(); err != boom {
				t.Error(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := primHub(t)
			r := new(AsyncResult)
			r.BindHub(h)
			primRun(t, h, func() { tt.fn(t, r) })
		})
	}
}

func TestAsyncResultBridgeAndDeadlock(t *testing.T) {
	h := primHub(t)
	var r AsyncResult
	r.BindHub(h)
	if err := SpawnOn(h, func() { r.Get() }).Join(); !errors.Is(err, ErrDeadlock) {
		t.Fatal(err)
	}
	// A plain goroutine's Get is a wait like a channel receive: another
	// goroutine may set the result, so it is never called a deadlock.
	if _, err := r.GetTimeout(time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatal(err)
	}
	var rg AsyncResult
	rg.BindHub(h)
	time.AfterFunc(50*time.Millisecond, func() { rg.Set("late") })
	if v, err := rg.Get(); v != "late" || err != nil {
		t.Fatal(v, err)
	}
	release := h.Hold()
	g := SpawnOn(h, func() (any, error) { return r.Get() })
	go func() { defer release(); r.Set("from a goroutine") }()
	if v, err := g.Get(); v != "from a goroutine" || err != nil {
		t.Fatal(v, err)
	}
	var r2 AsyncResult
	r2.BindHub(h)
	SpawnOn(h, func() { Sleep(time.Millisecond); r2.Set(1) })
	if v, err := r2.Get(); v != 1 || err != nil {
		t.Fatal(v, err)
	}
	// Cross-hub link target.
	primCheckLeaks(t)
	h2 := primNewHub(t)
	var r3 AsyncResult
	r3.BindHub(h)
	g3 := SpawnOn(h2, func() any { return 3 })
	g3.RawLink(r3.SetFrom) // posts the Set to h
	g3.Join()              // after the link ran, so the Set is queued on h
	if v, err := r3.Get(); v != 3 || err != nil {
		t.Fatal(v, err)
	}
}
