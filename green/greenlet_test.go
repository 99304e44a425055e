package green

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

var errBoom = errors.New("boom")

func TestLifecycle(t *testing.T) {
	th := newTestHub(t)
	type state struct{ started, dead, successful, killed bool }
	cases := []struct {
		name  string
		make  func() *Greenlet
		want  state
		value any
		err   error
	}{
		{"new", func() *Greenlet { return NewOn(th.Hub, func() {}) }, state{}, nil, nil},
		{"returned", func() *Greenlet {
			g := SpawnOn(th.Hub, func() (any, error) { return 7, nil })
			g.Join()
			return g
		}, state{dead: true, successful: true}, 7, nil},
		{"failed", func() *Greenlet {
			g := SpawnOn(th.Hub, func() error { return errBoom })
			g.Join()
			return g
		}, state{dead: true}, nil, errBoom},
		{"killed before start", func() *Greenlet {
			g := NewOn(th.Hub, func() {})
			g.Kill()
			return g
		}, state{dead: true, successful: true, killed: true}, nil, nil},
		{"killed while sleeping", func() *Greenlet {
			g := SpawnOn(th.Hub, Sleep, time.Hour)
			for !g.Started() {
				time.Sleep(time.Millisecond)
			}
			g.Kill()
			return g
		}, state{dead: true, successful: true, killed: true}, nil, nil},
		{"killed with error", func() *Greenlet {
			g := SpawnOn(th.Hub, Sleep, time.Hour)
			g.KillWith(KillOptions{Err: errBoom})
			return g
		}, state{dead: true}, nil, errBoom},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := c.make()
			got := state{g.Started(), g.Dead(), g.Successful(), g.Killed()}
			if got != c.want {
				t.Errorf("state = %+v, want %+v", got, c.want)
			}
			if g.Ready() != g.Dead() {
				t.Error("Ready != Dead")
			}
			if g.Value() != c.value {
				t.Errorf("value = %v, want %v", g.Value(), c.value)
			}
			if !errors.Is(g.Err(), c.err) || (c.err == nil && g.Err() != nil) {
				t.Errorf("err = %v, want %v", g.Err(), c.err)
			}
		})
	}
}

func TestStartsOnLaterTurn(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		ran := false
		g := Spawn(func() { ran = true })
		if ran {
			t.Error("body ran inside Spawn")
		}
		g.Join()
		if !ran {
			t.Error("body did not run")
		}
	})
}

func TestInterleaving(t *testing.T) {
	th := newTestHub(t)
	var log []string
	f := func(name string) {
		log = append(log, name+"A")
		Yield()
		log = append(log, name+"B")
	}
	// Spawned from a greenlet, both start in the same loop turn (two
	// spawns from a plain goroutine are two posts, which the loop may
	// see in different turns).
	th.run(t, func() { JoinAll(Spawn(f, "1"), Spawn(f, "2")) })
	if got := strings.Join(log, " "); got != "1A 2A 1B 2B" {
		t.Fatalf("order %q, want %q", got, "1A 2A 1B 2B")
	}
}

func TestYieldRunsEveryReadyGreenletFirst(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var ran []int
		for i := 0; i < 5; i++ {
			Spawn(func() { ran = append(ran, i) })
		}
		Yield()
		if len(ran) != 5 {
			t.Errorf("after Yield %d of 5 ready greenlets ran", len(ran))
		}
	})
}

func TestSleepOrdersByDeadline(t *testing.T) {
	th := newTestHub(t)
	var order []int
	// Spawned by one greenlet, the sleepers start in one loop turn, so
	// their deadlines are apart by the differences of their durations
	// (100 ms), whatever the load (spawned one by one from a plain
	// goroutine, they could start turns apart on a loaded machine).
	th.run(t, func() {
		var gs []*Greenlet
		for _, ms := range []int{300, 100, 200, 0} {
			gs = append(gs, Spawn(func() {
				Sleep(time.Duration(ms) * time.Millisecond)
				order = append(order, ms/10)
			}))
		}
		JoinAll(gs...)
	})
	if fmt.Sprint(order) != "[0 10 20 30]" {
		t.Fatalf("order %v (in tens of ms)", order)
	}
}

func TestKillBeforeStartNeverRuns(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		ran := false
		links := 0
		g := Spawn(func() { ran = true })
		g.Link(func(*Greenlet) { links++ })
		if err := g.Kill(); err != nil {
			t.Fatal(err)
		}
		if !g.Dead() {
			t.Fatal("not dead right after Kill")
		}
		Sleep(time.Millisecond)
		if ran {
			t.Error("killed greenlet ran")
		}
		if links != 1 {
			t.Errorf("links fired %d times, want 1", links)
		}
	})
}

func TestKillRunsDefers(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var steps []string
		g := Spawn(func() {
			defer func() { steps = append(steps, "deferred") }()
			steps = append(steps, "sleeping")
			Sleep(time.Hour) // result ignored: the kill unwinds anyway
			steps = append(steps, "after sleep")
		})
		Yield()
		if err := g.Kill(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(steps, ","); got != "sleeping,deferred" {
			t.Errorf("steps %q", got)
		}
		if !g.Successful() || !g.Killed() {
			t.Errorf("killed greenlet: %v", g)
		}
		// Killing a dead greenlet is a no-op.
		if err := g.KillWith(KillOptions{Err: errBoom}); err != nil || !g.Successful() {
			t.Errorf("second kill changed it: %v %v", err, g)
		}
	})
}

func TestKillOptions(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		g := Spawn(Sleep, time.Hour)
		Yield()
		if err := g.KillWith(KillOptions{NoWait: true}); err != nil {
			t.Fatal(err)
		}
		if g.Dead() {
			t.Error("NoWait kill waited")
		}
		g.Join()

		// A greenlet that swallows the kill outlives a bounded wait.
		stubborn := Spawn(func() {
			func() {
				defer func() { recover() }()
				Sleep(time.Hour)
			}()
			Sleep(time.Hour)
		})
		Yield()
		if err := stubborn.KillWith(KillOptions{Timeout: 5 * time.Millisecond}); !errors.Is(err, ErrTimeout) {
			t.Errorf("kill of a stubborn greenlet: %v, want ErrTimeout", err)
		}
		if err := stubborn.KillWith(KillOptions{Timeout: time.Second}); err != nil || !stubborn.Dead() {
			t.Errorf("second kill: %v", err)
		}
	})
}

func TestKillSelf(t *testing.T) {
	th := newTestHub(t)
	after := false
	g := SpawnOn(th.Hub, func() {
		Current().KillWith(KillOptions{Err: errBoom})
		after = true
	})
	if err := g.Join(); !errors.Is(err, errBoom) || after {
		t.Fatalf("self kill: %v after=%v", err, after)
	}
}

func TestKillFromPlainGoroutine(t *testing.T) {
	th := newTestHub(t)
	g := SpawnOn(th.Hub, Sleep, time.Hour)
	if err := g.Kill(); err != nil || !g.Killed() {
		t.Fatal(err, g)
	}
	gs := []*Greenlet{SpawnOn(th.Hub, Sleep, time.Hour), SpawnOn(th.Hub, Sleep, time.Hour)}
	if err := KillAll(gs...); err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if !g.Dead() {
			t.Fatal("KillAll left one alive")
		}
	}
}

func TestPanicCaptured(t *testing.T) {
	th := newTestHub(t)
	g := SpawnOn(th.Hub, func() { panic(errBoom) })
	err := g.Join()
	var pe *PanicError
	if !errors.As(err, &pe) || !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want a PanicError wrapping errBoom", err)
	}
	if !strings.Contains(string(pe.Stack), "TestPanicCaptured") {
		t.Error("stack does not show the panicking function")
	}
	// (Whether that one is also logged depends on whether the plain
	// goroutine's Join began before the greenlet died: see
	// TestPanicJoinedBeforeLinkRegisteredNotLogged.)
	before := len(th.reported())
	th.run(t, func() {
		g2 := Spawn(func() { panic("text") })
		if err := g2.Join(); !errors.As(err, &pe) || pe.Value != "text" {
			t.Errorf("err = %v", err)
		}
		g4 := Spawn(func() { panic("joined by JoinAll") })
		JoinAll(g4)
	})
	// Returned to joiners that waited for them: not logged as unhandled.
	// A panic nobody waits for is reported, once, with its stack.
	if n := len(th.reported()) - before; n != 0 {
		t.Errorf("%d errors reported, want 0 (returned to joiners)", n)
	}
	before = len(th.reported())
	g3 := SpawnOn(th.Hub, func() { panic("alone") })
	for !g3.Dead() {
		time.Sleep(time.Millisecond)
	}
	if errs := th.reported()[before:]; len(errs) != 1 || !strings.Contains(errs[0].Error(), "alone") ||
		!strings.Contains(errs[0].Error(), "\ngoroutine ") {
		t.Errorf("reported %v, want the unjoined panic with its stack", errs)
	}
	g3.Join()
	if n := len(th.reported()) - before; n != 1 {
		t.Errorf("%d reported after the late Join, want 1", n)
	}
	// The hub is still alive.
	if v, err := SpawnOn(th.Hub, func() any { return 1 }).Get(); v != 1 || err != nil {
		t.Fatal(v, err)
	}
}

func TestBadFunc(t *testing.T) {
	th := newTestHub(t)
	for _, c := range []struct {
		fn   any
		args []any
	}{
		{42, nil},
		{func(int) {}, nil},
		{func(int) {}, []any{"x"}},
		{(func())(nil), nil},
	} {
		if err := SpawnOn(th.Hub, c.fn, c.args...).Join(); !errors.Is(err, ErrBadFunc) {
			t.Errorf("Spawn(%T, %v): %v, want ErrBadFunc", c.fn, c.args, err)
		}
	}
	v, err := SpawnOn(th.Hub, func(a, b int) (int, int, error) { return a + b, a * b, nil }, 2, 3).Get()
	if fmt.Sprint(v) != "[5 6]" || err != nil {
		t.Fatal(v, err)
	}
}

func TestGoexitInGreenlet(t *testing.T) {
	// The goroutine of a greenlet that calls runtime.Goexit is abandoned
	// (documented): allow that one in the leak check.
	th := newLeakyTestHub(t, 1)
	g := SpawnOn(th.Hub, func() {
		defer func() {}()
		runtime.Goexit()
	})
	if err := g.Join(); !errors.Is(err, hub.ErrGoexit) {
		t.Fatalf("err = %v, want ErrGoexit", err)
	}
	if v, _ := SpawnOn(th.Hub, func() any { return "alive" }).Get(); v != "alive" {
		t.Fatal("hub did not survive Goexit")
	}
}

func TestSpawnLater(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		order := []string{}
		a := SpawnLater(10*time.Millisecond, func() { order = append(order, "later") })
		b := Spawn(func() { order = append(order, "now") })
		JoinAll(a, b)
		if strings.Join(order, ",") != "now,later" {
			t.Errorf("order %v", order)
		}
		c := SpawnLater(time.Hour, func() { t.Error("ran") })
		c.Kill()
		if !c.Dead() {
			t.Error("kill before delayed start")
		}
	})
}

func TestPlainGoroutineFallbacks(t *testing.T) {
	if Current() != nil {
		t.Fatal("Current in a plain goroutine")
	}
	Sleep(time.Millisecond)
	Yield()
	Idle()
	if err := WithTimeout(time.Millisecond, func() {}); !errors.Is(err, ErrNotGreenlet) {
		t.Fatalf("WithTimeout: %v", err)
	}
	if _, err := StartTimeout(time.Second); !errors.Is(err, ErrNotGreenlet) {
		t.Fatalf("StartTimeout: %v", err)
	}
}

func TestBlockingCallInHubCallback(t *testing.T) {
	th := newTestHub(t)
	done := make(chan any, 1)
	th.Post(func() {
		defer func() { done <- recover() }()
		Sleep(time.Millisecond)
	})
	if r := <-done; r != hub.ErrNotCoroutine {
		t.Fatalf("Sleep in a hub callback: %v", r)
	}
}

func TestIdle(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		n := 0
		for i := 0; i < 3; i++ {
			Spawn(func() { Yield(); Yield(); n++ })
		}
		Idle()
		if n != 3 {
			t.Errorf("Idle returned with %d of 3 busy greenlets done", n)
		}
	})
}

func TestConcurrentSpawnFromGoroutines(t *testing.T) {
	th := newTestHub(t)
	counter := 0 // touched only by greenlets: no lock
	done := make(chan []*Greenlet)
	for w := 0; w < 4; w++ {
		go func() {
			var gs []*Greenlet
			for i := 0; i < 250; i++ {
				gs = append(gs, SpawnOn(th.Hub, func() { counter++ }))
			}
			done <- gs
		}()
	}
	var all []*Greenlet
	for w := 0; w < 4; w++ {
		all = append(all, <-done...)
	}
	JoinAll(all...)
	var got int
	th.Call(func() { got = counter })
	if got != 1000 {
		t.Fatalf("counter = %d", got)
	}
}

func TestSpawnOnStoppedHub(t *testing.T) {
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	parked := SpawnOn(h, Sleep, time.Hour)
	// Spawns racing with Stop either run (and are stopped) or fail.
	done := make(chan *Greenlet, 100)
	go func() {
		for i := 0; i < 100; i++ {
			done <- SpawnOn(h, Sleep, time.Hour)
		}
	}()
	h.Stop()
	if err := parked.Join(); !errors.Is(err, ErrHubStopped) {
		t.Fatalf("parked greenlet: %v", err)
	}
	for i := 0; i < 100; i++ {
		g := <-done
		if err := g.Join(); !errors.Is(err, ErrHubStopped) {
			t.Fatalf("spawn %d: %v", i, err)
		}
	}
}
