package green

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockSemantics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l *Lock)
	}{
		{"any party may release, once", func(t *testing.T, l *Lock) {
			if l.Release() != ErrNotOwner {
				t.Error("release of a free lock")
			}
			l.Acquire()
			if !l.Locked() || l.TryAcquire() {
				t.Error("locked")
			}
			// gevent's Lock is a semaphore: another greenlet may release.
			other := Spawn(func() error { return l.Release() })
			if err := other.Join(); err != nil {
				t.Error(err)
			}
			if l.Locked() || l.Release() != ErrNotOwner {
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
	h2 := primNewHub(t)
	var l Lock
	l.BindHub(h)
	// A plain goroutine takes the lock; a greenlet of another hub waits
	// for it (parking, not blocking h2) and gets it when the goroutine
	// releases.
	if err := l.Acquire(); err != nil {
		t.Fatal(err)
	}
	got := SpawnOn(h2, func() error { return l.Acquire() })
	var ticks atomic.Int32
	ticker := SpawnOn(h2, func() {
		for !got.Dead() {
			Sleep(time.Millisecond)
			ticks.Add(1)
		}
	})
	time.Sleep(20 * time.Millisecond)
	if got.Dead() || ticks.Load() == 0 {
		t.Fatalf("acquired early or h2 blocked: %v, %d ticks", got, ticks.Load())
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := got.Join(); err != nil {
		t.Fatal(err)
	}
	ticker.Join()
	if !l.Locked() {
		t.Fatal("Locked from a plain goroutine")
	}
	// The greenlet of h2 holds it; a greenlet of h releases it.
	if err := SpawnOn(h, func() error { return l.Release() }).Join(); err != nil || l.Locked() {
		t.Fatal(err, l.Locked())
	}
	// A greenlet acquiring a Lock it holds waits for itself.
	if err := SpawnOn(h, func() { l.Acquire(); l.Acquire() }).Join(); !errors.Is(err, ErrDeadlock) {
		t.Fatal(err)
	}
}
