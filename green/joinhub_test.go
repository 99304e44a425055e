package green

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// gevent's hub.join() waits for the loop's watchers, not only its
// greenlets: a bare timer keeps it waiting until it fired.
func TestJoinHubWaitsForBareTimer(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		fired := false
		th.Hub.AfterFunc(2*time.Millisecond, func() { fired = true })
		if err := JoinHub(nil); err != nil || !fired {
			t.Errorf("JoinHub = %v, timer fired %v", err, fired)
		}
		// A stopped timer does not count.
		tm := th.Hub.AfterFunc(time.Hour, func() {})
		th.Hub.StopTimer(tm)
		if err := JoinHub(nil); err != nil {
			t.Error(err)
		}
	})
}

// A repeating timer keeps JoinHub waiting until it is stopped.
func TestJoinHubWaitsForRepeatUntilStopped(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		n := 0
		var r *hub.RepeatTimer
		r = th.Hub.Repeat(0, time.Millisecond, func() {
			if n++; n == 3 {
				r.Stop()
			}
		})
		if err := JoinHub(nil); err != nil || n != 3 || r.Active() {
			t.Errorf("JoinHub = %v after %d firings, active %v", err, n, r.Active())
		}
		// Stopped by a greenlet rather than by itself.
		k := 0
		r = th.Hub.Repeat(0, time.Millisecond, func() { k++ })
		Spawn(func() {
			for k < 2 {
				Sleep(time.Millisecond)
			}
			r.Stop()
		})
		if err := JoinHub(nil); err != nil || r.Active() || k < 2 {
			t.Errorf("JoinHub = %v after %d firings, active %v", err, k, r.Active())
		}
	})
}

// A Hold is something outside the hub that will still act on it: JoinHub
// waits until it is released, here by a plain goroutine started once the
// caller is parked in JoinHub.
func TestJoinHubWaitsForHold(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		h := th.Hub
		var released atomic.Bool
		release := h.Hold()
		// The callback runs once the caller parks in JoinHub.
		h.Callback(func(any) {
			go func() { released.Store(true); release() }()
		}, nil)
		if err := JoinHub(nil); err != nil || !released.Load() {
			t.Errorf("JoinHub = %v, released %v", err, released.Load())
		}
	})
}

// A posted function and a ready callback count too.
func TestJoinHubWaitsForPostsAndCallbacks(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		h := th.Hub
		steps := 0
		h.Callback(func(any) {
			steps++
			// A plain goroutine posts; the caller waits for its post.
			release := h.Hold()
			go func() {
				h.Post(func() { steps++ })
				release()
			}()
		}, nil)
		if err := JoinHub(nil); err != nil || steps != 2 {
			t.Errorf("JoinHub = %v after %d steps", err, steps)
		}
	})
}

// A killed JoinHub caller is no longer waiting: the hub does not count it
// as one of the callers afterwards (which would wake the next caller while
// a greenlet is still live, or never).
func TestJoinHubKilledCaller(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var e Event
		b := Spawn(e.Wait)
		a := Spawn(JoinHub, (*hub.Hub)(nil))
		Yield() // both park
		if err := a.Kill(); err != nil || !a.Killed() {
			t.Fatalf("kill JoinHub caller: %v, killed %v", err, a.Killed())
		}
		th.Hub.AfterFunc(time.Millisecond, func() { e.Set() })
		if err := JoinHub(nil); err != nil || !b.Dead() {
			t.Errorf("JoinHub = %v with waiter dead %v", err, b.Dead())
		}
		// A timeout ends the wait the same way.
		Spawn(Sleep, 5*time.Millisecond)
		if err := WithTimeout(time.Millisecond, func() { JoinHub(nil) }); !errors.Is(err, ErrTimeout) {
			t.Errorf("JoinHub under a timeout = %v", err)
		}
		if err := JoinHub(nil); err != nil {
			t.Error(err)
		}
	})
}

// Several callers, of the hub and from elsewhere, all return together,
// without ErrDeadlock even though the plain goroutines are observers of a
// hub where only JoinHub callers are left.
func TestJoinHubManyCallersNoDeadlock(t *testing.T) {
	ths := newTestHubs(t, 2)
	h, other := ths[0].Hub, ths[1].Hub
	var fired atomic.Int32
	h.Call(func() {
		h.AfterFunc(3*time.Millisecond, func() { fired.Add(1) })
		for range 3 {
			SpawnOn(h, func() error { return JoinHub(nil) })
		}
	})
	errs := make(chan error, 3)
	go func() { errs <- JoinHub(h) }()
	SpawnOn(other, func() { errs <- JoinHub(h) })
	SpawnOn(other, func() { errs <- JoinHub(h) })
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("JoinHub = %v", err)
		}
	}
	if fired.Load() != 1 {
		t.Errorf("returned before the timer fired")
	}
	// And on a hub with nothing to do, at once.
	if err := JoinHub(h); err != nil {
		t.Error(err)
	}
	if err := JoinHub(other); err != nil {
		t.Error(err)
	}
	for _, th := range ths {
		if errs := th.reported(); len(errs) != 0 {
			t.Errorf("reported %v", errs)
		}
	}
}

// From a plain goroutine and from a greenlet of another hub: the wait is a
// proxy greenlet on the hub, which does not count.
func TestJoinHubFromElsewhere(t *testing.T) {
	ths := newTestHubs(t, 2)
	h, other := ths[0].Hub, ths[1].Hub
	var n atomic.Int32
	arm := func() {
		h.Call(func() {
			var r *hub.RepeatTimer
			r = h.Repeat(0, time.Millisecond, func() {
				if n.Add(1)%3 == 0 {
					r.Stop()
				}
			})
		})
	}
	arm()
	if err := JoinHub(h); err != nil || n.Load() != 3 {
		t.Errorf("plain goroutine: JoinHub = %v after %d firings", err, n.Load())
	}
	arm()
	err := SpawnOn(other, func() error {
		if err := JoinHub(h); err != nil || n.Load() != 6 {
			t.Errorf("other hub: JoinHub = %v after %d firings", err, n.Load())
		}
		return nil
	}).Join()
	if err != nil {
		t.Error(err)
	}
}

// Main's body ends with JoinHub(nil): it returns once the default hub has
// nothing left to do, with no ErrDeadlock although Main's caller observes
// a hub where only the JoinHub caller is left.
func TestMainJoinHub(t *testing.T) {
	fired, done := false, false
	err := Main(func() {
		Spawn(func() { Sleep(time.Millisecond); done = true })
		Current().Hub().AfterFunc(2*time.Millisecond, func() { fired = true })
		if err := JoinHub(nil); err != nil {
			panic(err)
		}
	})
	if err != nil || !fired || !done {
		t.Errorf("Main = %v, timer fired %v, greenlet done %v", err, fired, done)
	}
}

// A greenlet parked for good keeps JoinHub waiting until deadlock
// detection interrupts the longest-parked greenlet: here the stuck one
// (it parked before the proxy of the plain goroutine's JoinHub), so
// JoinHub goes on and returns once it has died.
func TestJoinHubStuckGreenlet(t *testing.T) {
	th := newTestHub(t)
	var e Event
	stuck := SpawnOn(th.Hub, e.Wait) // starts, and parks, before the proxy
	if err := JoinHub(th.Hub); err != nil {
		t.Errorf("JoinHub = %v", err)
	}
	if !stuck.Dead() || !errors.Is(stuck.Err(), ErrDeadlock) {
		t.Errorf("stuck greenlet: dead %v, err %v", stuck.Dead(), stuck.Err())
	}
}
