package green

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestLockSemantics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l *Lock)
	}{
		{"owner only", func(t *testing.T, l *Lock) {
			if l.Release() != ErrNotOwner {
				t.Error("release of a free lock")
			}
			l.Acquire()
			if !l.Locked() || l.TryAcquire() {
				t.Error("locked")
			}
			other := Spawn(func() error { return l.Release() })
			if err := other.Join(); err != ErrNotOwner {
				t.Error(err)
			}
			if l.Release() != nil || l.Locked() {
				t.Error("release")
			}
		}},
		{"FIFO handoff", func(t *testing.T, l *Lock) {
			l.Acquire()
			var order []int
			var gs []*Greenlet
			for i := range 3 {
				gs = append(gs, Spawn(func() {
					l.Acquire()
					order = append(order, i)
					Yield()
					l.Release()
				}))
			}
			settle()
			l.Release()
			if l.TryAcquire() {
				t.Error("newcomer overtook")
			}
			JoinAll(gs...)
			if !slices.Equal(order, []int{0, 1, 2}) || l.Locked() {
				t.Error(order)
			}
		}},
		{"timeout and kill", func(t *testing.T, l *Lock) {
			l.Acquire()
			if err := Spawn(func() error { return l.AcquireTimeout(time.Millisecond) }).Join(); err != ErrTimeout {
				t.Error(err)
			}
			a := Spawn(func() { l.Acquire(); t.Error("a acquired") })
			b := Spawn(func() error {
				if err := l.AcquireTimeout(time.Hour); err != nil {
					return err
				}
				return l.Release()
			})
			settle()
			l.Release()                           // handed to a
			a.KillWith(KillOptions{NoWait: true}) // before a runs: passes to b
			if err := b.Join(); err != nil {
				t.Error(err)
			}
			if l.Locked() {
				t.Error("still locked")
			}
		}},
		{"self deadlock is detected by Timeout", func(t *testing.T, l *Lock) {
			l.Acquire()
			if err := WithTimeout(time.Millisecond, func() { l.Acquire() }); !errors.Is(err, ErrTimeout) {
				t.Error(err)
			}
			l.Release()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := primHub(t)
			l := new(Lock)
			l.BindHub(h)
			primRun(t, h, func() { tt.fn(t, l) })
		})
	}
}

func TestRLock(t *testing.T) {
	h := primHub(t)
	var r RLock
	r.BindHub(h)
	primRun(t, h, func() {
		r.Acquire()
		r.Acquire()
		if r.Count() != 2 {
			t.Error(r.Count())
		}
		other := Spawn(func() error {
			if err := r.Release(); err != ErrNotOwner {
				return err
			}
			if err := r.AcquireTimeout(time.Hour); err != nil {
				return err
			}
			return r.Release()
		})
		settle()
		r.Release()
		settle()
		if !r.Locked() || other.Dead() {
			t.Error("released too early")
		}
		r.Release()
		if err := other.Join(); err != nil {
			t.Error(err)
		}
		if r.Locked() || r.Release() != ErrNotOwner {
			t.Error("state")
		}
	})
}

func TestLockCallers(t *testing.T) {
	primCheckLeaks(t)
	h := primNewHub(t)
	var l Lock
	if err := l.Acquire(); err != ErrNotGreenlet {
		t.Fatal(err)
	}
	if l.TryAcquire() || l.Release() != ErrNotGreenlet {
		t.Fatal("plain goroutine")
	}
	l.BindHub(h)
	h2 := primNewHub(t)
	if err := SpawnOn(h2, func() error { return l.Acquire() }).Join(); err != ErrWrongHub {
		t.Fatal(err)
	}
	if err := SpawnOn(h, func() { l.Acquire(); l.Acquire() }).Join(); !errors.Is(err, ErrDeadlock) {
		t.Fatal(err)
	}
	if !l.Locked() {
		t.Fatal("Locked from a plain goroutine")
	}
}
