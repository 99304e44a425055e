package green

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// gevent's own scenarios (src/gevent/tests and its issues), re-expressed.

// gevent issue 330: a blocking kill of a greenlet that was spawned but has
// not run finishes it at once; its body never runs, and nothing else runs
// in between (the kill does not even switch).
func TestKillScheduledNeverRuns(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var ran []string
		other := Spawn(func() { ran = append(ran, "other") })
		g := Spawn(func() { ran = append(ran, "victim") })
		if err := g.Kill(); err != nil {
			t.Errorf("kill: %v", err)
		}
		if !g.Dead() || !g.Killed() || len(ran) != 0 {
			t.Errorf("after kill: dead %v killed %v ran %v", g.Dead(), g.Killed(), ran)
		}
		other.Join()
		Yield()
		if !slices.Equal(ran, []string{"other"}) {
			t.Errorf("ran %v, want [other]", ran)
		}
		// With an error: the greenlet fails with it, links fire once.
		links := 0
		g2 := Spawn(func() { ran = append(ran, "victim2") })
		g2.Link(func(*Greenlet) { links++ })
		if err := g2.KillWith(KillOptions{Err: errBoom}); err != nil {
			t.Error(err)
		}
		if !errors.Is(g2.Err(), errBoom) {
			t.Errorf("err %v", g2.Err())
		}
		Sleep(time.Millisecond)
		if links != 1 || len(ran) != 1 {
			t.Errorf("links %d ran %v", links, ran)
		}
	})
}

// A failed greenlet has no value (gevent: g.value is None when it raised).
func TestFailedGreenletValueIsZero(t *testing.T) {
	th := newTestHub(t)
	g := SpawnOn(th.Hub, func() (any, error) { return 7, errBoom })
	v, err := g.Get()
	if v != nil || g.Value() != nil || !errors.Is(err, errBoom) {
		t.Errorf("Get = %v, %v; Value %v", v, err, g.Value())
	}
	tg := GoOn(th.Hub, func() (int, error) { return 7, errBoom })
	if n, err := tg.Get(); n != 0 || tg.Value() != 0 || !errors.Is(err, errBoom) {
		t.Errorf("typed Get = %v, %v", n, err)
	}
}

// A recovered kill is an error that tells what the greenlet was killed
// with, and prints readably.
func TestRecoveredKillValue(t *testing.T) {
	th := newTestHub(t)
	for _, c := range []struct {
		with error
		is   error
	}{{nil, ErrGreenletExit}, {errBoom, errBoom}} {
		got := make(chan any, 1)
		isIntr := make(chan bool, 1)
		g := SpawnOn(th.Hub, func() {
			defer func() {
				r := recover()
				got <- r
				isIntr <- IsInterrupt(r)
				Repanic(r)
			}()
			Sleep(time.Hour)
		})
		waitStarted(t, g)
		g.KillWith(KillOptions{Err: c.with})
		r := <-got
		err, ok := r.(error)
		if !ok || !errors.Is(err, c.is) || !<-isIntr {
			t.Fatalf("recovered %T %v", r, r)
		}
		var ke *KillError
		if !errors.As(err, &ke) || fmt.Sprint(r) != ke.Error() || ke.Error() == "" || ke.Error()[0] == '&' {
			t.Errorf("prints as %q", fmt.Sprint(r))
		}
		if !g.Dead() {
			t.Error("not dead after Repanic")
		}
	}
}

// A user's own recover helper that uses Repanic lets kills and timeouts
// through: Kill does not time out and WithTimeout reports its expiry.
func TestRepanicInRecoverHelper(t *testing.T) {
	th := newTestHub(t)
	safe := func(fn func()) (caught any) {
		defer func() {
			r := recover()
			Repanic(r) // kills and timeouts go on unwinding
			caught = r
		}()
		fn()
		return nil
	}
	th.run(t, func() {
		if r := safe(func() { panic("mine") }); r != "mine" {
			t.Errorf("caught %v", r)
		}
		err := WithTimeout(5*time.Millisecond, func() { safe(func() { Sleep(time.Hour) }) })
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("WithTimeout = %v", err)
		}
		g := Spawn(func() { safe(func() { Sleep(time.Hour) }); Sleep(time.Hour) })
		Yield()
		if err := g.KillWith(KillOptions{Timeout: time.Second}); err != nil || !g.Dead() {
			t.Errorf("kill = %v", err)
		}
		if IsInterrupt("x") || IsInterrupt(nil) || IsInterrupt(errBoom) {
			t.Error("IsInterrupt of a plain value")
		}
	})
}

// gevent issue 1520: Wait on an event already set, while Set is still
// waking the earlier waiters, returns after them.
func TestEventWaitWhileNotifying(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var e Event
		var order []int
		for i := 1; i <= 2; i++ {
			Spawn(func() { e.Wait(); order = append(order, i) })
		}
		Yield()
		e.Set()
		e.Wait()
		order = append(order, 3)
		if !slices.Equal(order, []int{1, 2, 3}) {
			t.Errorf("order %v, want [1 2 3]", order)
		}
		// Once they ran, a wait on the set event returns without a switch.
		before := len(order)
		Spawn(func() { order = append(order, 4) })
		e.Wait()
		if len(order) != before {
			t.Error("Wait on a set event switched")
		}
	})
}

// An Unlink made inside an earlier link cancels a later link that has not
// run yet.
func TestUnlinkInsideEarlierLink(t *testing.T) {
	th := newTestHub(t)
	for _, raw := range []bool{false, true} {
		th.run(t, func() {
			var ran []int
			g := New(func() {})
			link := g.Link
			if raw {
				link = g.RawLink
			}
			var second LinkID
			link(func(*Greenlet) {
				ran = append(ran, 1)
				if !g.Unlink(second) {
					t.Errorf("raw %v: unlink of the later link failed", raw)
				}
			})
			second = link(func(*Greenlet) { ran = append(ran, 2) })
			link(func(*Greenlet) { ran = append(ran, 3) })
			g.Start()
			g.Join()
			Sleep(time.Millisecond)
			if !slices.Equal(ran, []int{1, 3}) {
				t.Errorf("raw %v: ran %v, want [1 3]", raw, ran)
			}
		})
	}
}

// gevent's Waiter: a switch (Wake) before get (Wait) makes get return at
// once with the value.
func TestWaiterWokenBeforeWait(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		w := NewWaiter()
		Spawn(w.Wake).Join()
		start := time.Now()
		if r := w.Wait(time.Minute, nil); r != hub.Woken {
			t.Errorf("Wait = %v", r)
		}
		if time.Since(start) > 30*time.Second {
			t.Error("waited")
		}
		// Woken from a plain goroutine, before the Wait.
		w = NewWaiter()
		done := make(chan struct{})
		go func() { w.Wake(); close(done) }()
		for !w.Woken() {
			Sleep(time.Millisecond)
		}
		if r := w.Wait(time.Minute, nil); r != hub.Woken {
			t.Errorf("Wait after a goroutine's Wake = %v", r)
		}
		<-done
	})
	// A plain goroutine's Waiter woken first.
	w := NewWaiter()
	SpawnOn(th.Hub, w.Wake).Join()
	if r := w.Wait(time.Minute, th.Hub); r != hub.Woken {
		t.Errorf("goroutine Wait = %v", r)
	}
}

// gevent's test__queue TestChannel.test_send: a put to a waiting getter
// lets the getter run before the putter goes on: "sending", "hello",
// "sent hello".
func TestChannelPutLetsGetterRunFirst(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var c Channel[string]
		var events []string
		getter := Spawn(func() {
			v, _ := c.Get()
			events = append(events, v)
		})
		Yield()
		events = append(events, "sending")
		c.Put("hello")
		events = append(events, "sent hello")
		getter.Join()
		if !slices.Equal(events, []string{"sending", "hello", "sent hello"}) {
			t.Errorf("events %q", events)
		}
	})
}

// Python 3.13's Queue.shutdown(immediate=True): queued items are dropped
// (counted as done), blocked getters and later gets fail.
func TestQueueShutdownImmediate(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		q := NewQueue[int](0)
		q.Put(1)
		q.Put(2)
		if err := q.ShutdownImmediate(); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Get(); !errors.Is(err, ErrQueueShutDown) {
			t.Errorf("get = %v", err)
		}
		if err := q.Put(3); !errors.Is(err, ErrQueueShutDown) {
			t.Errorf("put = %v", err)
		}
		if err := q.JoinTimeout(time.Second); err != nil {
			t.Errorf("join = %v (dropped items count as done)", err)
		}
		q2 := NewQueue[int](0)
		g := Spawn(func() error { _, err := q2.Get(); return err })
		Yield()
		q2.ShutdownImmediate()
		if err := g.Join(); !errors.Is(err, ErrQueueShutDown) {
			t.Errorf("blocked get = %v", err)
		}
	})
}

func waitStarted(t *testing.T, g *Greenlet) {
	t.Helper()
	for i := 0; !g.Started() && !g.Dead(); i++ {
		if i > 5000 {
			t.Fatal("never started")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(2 * time.Millisecond) // let it reach its park
}
