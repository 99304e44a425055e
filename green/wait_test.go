package green

import (
	"slices"
	"testing"
	"time"
)

func TestWaitMixed(t *testing.T) {
	h := primHub(t)
	primRun(t, h, func() {
		e := new(Event)
		r := new(AsyncResult)
		s := NewSemaphore(0)
		l := new(Lock)
		g := Spawn(func() { Sleep(time.Millisecond) })
		step := new(Event)
		Spawn(func() {
			l.Acquire()
			step.Wait()
			r.Set(1)
			Yield()
			e.Set()
			Yield()
			s.Release()
			Yield()
			l.Release()
		})
		settle()
		step.Set()
		got := Wait(g, e, r, s, l)
		want := []Waitable{r, e, s, l, g}
		if !slices.Equal(got, want) {
			t.Errorf("order %v", got)
		}
		// Already ready: argument order.
		if got := Wait(s, e); !slices.Equal(got, []Waitable{s, e}) {
			t.Errorf("ready %v", got)
		}
		// Links are removed afterwards.
		if !e.waiters.Empty() || !s.waiters.Empty() || !r.waiters.Empty() {
			t.Error("links left")
		}
	})
}

func TestWaitCountTimeoutAndBreak(t *testing.T) {
	h := primHub(t)
	primRun(t, h, func() {
		var es [3]*Event
		for i := range es {
			es[i] = new(Event)
		}
		Spawn(func() { es[2].Set(); Yield(); es[0].Set() })
		got := WaitWith(WaitOptions{Count: 1}, es[0], es[1], es[2])
		if !slices.Equal(got, []Waitable{es[2]}) {
			t.Errorf("count: %v", got)
		}
		got = WaitWith(WaitOptions{Timeout: 5 * time.Millisecond}, es[0], es[1], es[2], nil, es[0])
		if len(got) != 2 {
			t.Errorf("timeout: %v", got)
		}
		var n int
		for range IWait(WaitOptions{}, es[0], es[1], es[2]) {
			n++
			break
		}
		if n != 1 || !es[1].waiters.Empty() {
			t.Error("break")
		}
		if got := Wait(); len(got) != 0 {
			t.Error(got)
		}
		// A kill interrupts the wait and removes the links.
		w := Spawn(func() { Wait(es[1]) })
		settle()
		w.Kill()
		if !es[1].waiters.Empty() {
			t.Error("links left after kill")
		}
	})
}

func TestWaitFromPlainGoroutine(t *testing.T) {
	h := primHub(t)
	e := new(Event)
	e.BindHub(h)
	g := SpawnOn(h, func() { Sleep(time.Millisecond); e.Set() })
	got := Wait(e, g)
	if len(got) != 2 || got[0] != e {
		t.Fatal(got)
	}
	var e2 Event
	e2.BindHub(h)
	if got := WaitWith(WaitOptions{Timeout: time.Millisecond}, &e2); len(got) != 0 {
		t.Fatal(got)
	}
}
