package green

import (
	"bytes"
	"errors"
	"log"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// gevent's AbstractLinkable.rawlink/unlink on Event, AsyncResult and
// Semaphore: callbacks in order, each time the object becomes ready, at
// once (a later turn) when it is ready already; unlink stops them.
func TestObjectRawLinks(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var e Event
		var got []string
		a := e.RawLink(func(*Event) { got = append(got, "a") })
		e.RawLink(func(ev *Event) {
			if ev != &e {
				t.Error("wrong event")
			}
			got = append(got, "b")
		})
		e.Set()
		e.Clear()
		e.Set()
		if !slices.Equal(got, []string{"a", "b", "a", "b"}) {
			t.Errorf("event links %v", got)
		}
		if !e.Unlink(a) || e.Unlink(a) {
			t.Error("Unlink")
		}
		e.Clear()
		e.Set()
		if !slices.Equal(got, []string{"a", "b", "a", "b", "b"}) {
			t.Errorf("after unlink %v", got)
		}
		got = nil
		e.RawLink(func(*Event) { got = append(got, "late") }) // set now: a later turn
		if len(got) != 0 {
			t.Error("ran inside RawLink")
		}
		Yield()
		if !slices.Equal(got, []string{"late"}) {
			t.Errorf("late link %v", got)
		}

		var r AsyncResult
		var rv any
		r.RawLink(func(r *AsyncResult) { rv = r.Value() })
		r.Set(7)
		if rv != 7 {
			t.Errorf("result link saw %v", rv)
		}

		s := NewSemaphore(0)
		frees := 0
		id := s.RawLink(func(*Semaphore) { frees++ })
		waiter := Spawn(func() { s.Acquire() })
		Yield()
		s.Release() // to the waiter: no permit left free
		waiter.Join()
		s.Release() // free now
		if frees != 1 {
			t.Errorf("semaphore link ran %d times, want 1", frees)
		}
		s.Unlink(id)
		s.Release()
		if frees != 1 {
			t.Error("ran after Unlink")
		}
		// A panicking link is reported; the others go on.
		var e2 Event
		e2.RawLink(func(*Event) { panic("link") })
		ok := false
		e2.RawLink(func(*Event) { ok = true })
		e2.Set()
		if !ok {
			t.Error("link after a panicking one did not run")
		}
	})
	// From a plain goroutine.
	var e Event
	e.BindHub(th.Hub)
	fired := make(chan struct{}, 1)
	id := e.RawLink(func(*Event) { fired <- struct{}{} })
	e.Set()
	<-fired
	if !e.Unlink(id) {
		t.Error("Unlink from a goroutine")
	}
	if n := len(th.reported()); n != 1 {
		t.Errorf("%d reported, want the one panicking link", n)
	}
}

// gevent's add_spawn_callback/remove_spawn_callback, and spawning_greenlet.
func TestSpawnCallbacksAndSpawner(t *testing.T) {
	th := newTestHub(t)
	var seen []*Greenlet
	remove := AddSpawnCallback(func(g *Greenlet) {
		if g.Hub() == th.Hub {
			seen = append(seen, g)
		}
	})
	th.run(t, func() {
		seen = seen[:0]
		me := Current()
		a := Spawn(func() {})
		b := New(func() {})
		b.Start()
		if !slices.Equal(seen, []*Greenlet{a, b}) {
			t.Errorf("callbacks saw %v", seen)
		}
		if a.SpawningGreenlet() != me || a.SpawnedBy() != me.ID() {
			t.Error("spawning greenlet")
		}
		JoinAll(a, b)
		remove()
		n := len(seen)
		Spawn(func() {}).Join()
		if len(seen) != n {
			t.Error("callback ran after remove")
		}
	})
	if SpawnOn(th.Hub, func() {}).SpawningGreenlet() != nil {
		t.Error("a plain goroutine's greenlet has a spawner")
	}
	// A callback may kill the greenlet: it never runs.
	remove = AddSpawnCallback(func(g *Greenlet) {
		if g.Name() == "doomed" {
			g.KillWith(KillOptions{NoWait: true})
		}
	})
	defer remove()
	ran := false
	g := NewOn(th.Hub, func() { ran = true }).SetName("doomed")
	g.Start()
	if g.Join(); ran || !g.Killed() {
		t.Errorf("ran %v killed %v", ran, g.Killed())
	}
}

// libev's loop.timer(after, repeat).
func TestRepeatTimer(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		h := th.Hub
		n := 0
		var r *hub.RepeatTimer
		r = h.Repeat(time.Millisecond, time.Millisecond, func() {
			n++
			if n == 3 {
				r.Stop()
			}
		})
		Sleep(30 * time.Millisecond)
		if n != 3 || r.Active() {
			t.Errorf("fired %d times, active %v", n, r.Active())
		}
		once := 0
		h.Repeat(0, 0, func() { once++ })
		Sleep(5 * time.Millisecond)
		if once != 1 {
			t.Errorf("repeat 0 fired %d times", once)
		}
		k := 0
		r2 := h.Repeat(time.Millisecond, time.Millisecond, func() { k++ })
		Sleep(10 * time.Millisecond)
		if !r2.Stop() || r2.Stop() || k == 0 {
			t.Errorf("Stop: k %d", k)
		}
	})
}

// A panic's stack is logged as lines (the default slog handler used to
// print it quoted, with \n escapes).
func TestUnhandledPanicLogReadable(t *testing.T) {
	var buf bytes.Buffer
	old := log.Writer()
	log.SetOutput(&buf)
	defer log.SetOutput(old)
	h, err := hub.New(hub.Config{})
	if errors.Is(err, hub.ErrUnsupported) {
		t.Skip(err)
	}
	h.Start()
	defer h.Stop()
	g := SpawnOn(h, func() { panic("readable") })
	for !g.Dead() {
		time.Sleep(time.Millisecond)
	}
	out := buf.String()
	if !strings.Contains(out, "readable") || !strings.Contains(out, "\ngoroutine ") || strings.Contains(out, `\n`) {
		t.Errorf("log output:\n%s", out)
	}
}
