package green

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSemaphoreSemantics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *Semaphore)
	}{
		{"counts permits", func(t *testing.T, s *Semaphore) {
			if s.Value() != 2 {
				t.Fatal(s.Value())
			}
			first, second, third := s.TryAcquire(), s.TryAcquire(), s.TryAcquire()
			if !first || !second || third || !s.Locked() {
				t.Fatal("try")
			}
			if err := s.AcquireTimeout(time.Millisecond); err != ErrTimeout {
				t.Fatal(err)
			}
			s.Release()
			s.Release()
			s.Release() // unbounded: allowed
			if s.Value() != 3 {
				t.Fatal(s.Value())
			}
		}},
		{"FIFO, newcomers do not overtake", func(t *testing.T, s *Semaphore) {
			s.Acquire()
			s.Acquire()
			var order []int
			var gs []*Greenlet
			for i := range 3 {
				gs = append(gs, Spawn(func() {
					s.Acquire()
					order = append(order, i)
				}))
			}
			settle()
			s.Release() // to waiter 0, even if a newcomer asks first
			if s.TryAcquire() {
				t.Error("newcomer overtook a waiter")
			}
			s.Release()
			s.Release()
			JoinAll(gs...)
			if !slices.Equal(order, []int{0, 1, 2}) {
				t.Error(order)
			}
		}},
		{"killed waiter passes the permit on", func(t *testing.T, s *Semaphore) {
			s.Acquire()
			s.Acquire()
			a := Spawn(func() { s.Acquire(); t.Error("a acquired") })
			b := Spawn(func() error { return s.AcquireTimeout(time.Hour) })
			settle()
			s.Release()                           // handed to a
			a.KillWith(KillOptions{NoWait: true}) // before a runs
			if err := b.Join(); err != nil {
				t.Error(err)
			}
			a.Join()
			if s.Value() != 0 {
				t.Error("permit count", s.Value())
			}
		}},
		{"Timeout interrupts acquire", func(t *testing.T, s *Semaphore) {
			s.Acquire()
			s.Acquire()
			if err := WithTimeout(time.Millisecond, func() { s.Acquire() }); !errors.Is(err, ErrTimeout) {
				t.Error(err)
			}
			s.Release()
			if s.Value() != 1 {
				t.Error("permit lost")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := primHub(t)
			s := NewSemaphore(2)
			s.BindHub(h)
			primRun(t, h, func() { tt.fn(t, s) })
		})
	}
}

func TestBoundedSemaphore(t *testing.T) {
	h := primHub(t)
	var zero BoundedSemaphore
	zero.BindHub(h)
	b := NewBoundedSemaphore(2)
	b.BindHub(h)
	primRun(t, h, func() {
		if err := zero.Release(); err != ErrOverRelease {
			t.Error("zero value:", err)
		}
		if !zero.TryAcquire() || zero.TryAcquire() || zero.Release() != nil {
			t.Error("zero value has one permit")
		}
		b.Acquire()
		if b.Release() != nil || b.Release() != ErrOverRelease || b.Value() != 2 {
			t.Error("over-release")
		}
	})
	for _, mk := range []func(){func() { NewSemaphore(-1) }, func() { NewBoundedSemaphore(-1) }} {
		func() {
			defer func() {
				if r := recover(); r != ErrNegativeCount {
					t.Errorf("negative count: recovered %v", r)
				}
			}()
			mk()
		}()
	}
}

func TestSemaphoreBridgeAndDeadlock(t *testing.T) {
	h := primHub(t)
	s := NewSemaphore(1)
	s.BindHub(h)
	if err := s.Acquire(); err != nil { // plain goroutine, no wait
		t.Fatal(err)
	}
	if err := SpawnOn(h, func() { s.Acquire() }).Join(); !errors.Is(err, ErrDeadlock) {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, func() { s.Release() })
	if err := s.Acquire(); err != nil { // like a channel receive: waits
		t.Fatal(err)
	}
	if err := s.AcquireTimeout(time.Millisecond); err != ErrTimeout {
		t.Fatal(err)
	}
	g := SpawnOn(h, func() error { return s.AcquireTimeout(time.Hour) })
	release := h.Hold()
	go func() { defer release(); s.Release() }()
	if err := g.Join(); err != nil {
		t.Fatal(err)
	}
	SpawnOn(h, func() { Sleep(time.Millisecond); s.Release() })
	if err := s.Acquire(); err != nil {
		t.Fatal(err)
	}
}
