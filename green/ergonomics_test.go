package green

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

func TestTaskTyped(t *testing.T) {
	th := newTestHub(t)
	tk := GoOn(th.Hub, func() (int, error) { Sleep(time.Millisecond); return 42, nil })
	if n, err := tk.GetTimeout(0); n != 0 || !errors.Is(err, ErrTimeout) {
		t.Errorf("GetTimeout(0) before the end = %v, %v", n, err)
	}
	if n, err := tk.Get(); n != 42 || err != nil || tk.Value() != 42 {
		t.Errorf("Get = %v, %v", n, err)
	}
	if tk.G().Value() != nil || !tk.Successful() {
		t.Error("the untyped face sees a value")
	}
	th.run(t, func() {
		a := Go(func() (string, error) { return "a", nil })
		b := Go(func() (string, error) { Sleep(time.Hour); return "b", nil })
		JoinAllWith(JoinOptions{Count: 1}, a.G(), b.G())
		b.Kill()
		if s, err := b.Get(); s != "" || err != nil || !b.Killed() {
			t.Errorf("killed task: %q, %v", s, err)
		}
		nilfn := Go[int](nil)
		if _, err := nilfn.Get(); !errors.Is(err, ErrBadFunc) {
			t.Errorf("nil fn: %v", err)
		}
	})
}

func TestMainGreenlet(t *testing.T) {
	// Main runs its body in a greenlet of the default hub: WithTimeout works.
	var err error
	if merr := Main(func() {
		err = WithTimeout(time.Millisecond, func() { Sleep(time.Hour) })
	}); merr != nil || !errors.Is(err, ErrTimeout) {
		t.Fatalf("Main = %v, WithTimeout = %v", merr, err)
	}
	if err := Main(func() { panic(errBoom) }); !errors.Is(err, errBoom) {
		t.Errorf("Main of a panic = %v", err)
	}
	if Main(nil) != ErrBadFunc {
		t.Error("Main(nil)")
	}
	// Nested: runs in place.
	Main(func() {
		me := Current()
		Main(func() {
			if Current() != me {
				t.Error("nested Main switched greenlets")
			}
		})
	})
}

func TestGreenletContext(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		// Killed: the context ends with the kill as its cause.
		var ctx context.Context
		k := Spawn(func() { ctx = Context(); Sleep(time.Hour) })
		Yield()
		if ctx.Err() != nil {
			t.Error("cancelled early")
		}
		k.KillWith(KillOptions{Err: errBoom})
		if !errors.Is(context.Cause(ctx), errBoom) || ctx.Err() != context.Canceled {
			t.Errorf("cause %v err %v", context.Cause(ctx), ctx.Err())
		}
		// Finished: cancelled too; asked after death: already cancelled.
		d := Spawn(func() {})
		d.Join()
		if d.Context().Err() == nil {
			t.Error("context of a dead greenlet alive")
		}
		// Outside a greenlet: Background.
		if Current().Context() == context.Background() {
			t.Error("greenlet context is Background")
		}
	})
	// From a plain goroutine, and the hub's stop: see TestContextFromOutside.
	if Context() != context.Background() {
		t.Error("plain goroutine's Context is not Background")
	}
}

func TestContextFromOutside(t *testing.T) {
	h, err := hub.New(hub.Config{ErrorHandler: func(error) {}})
	if err != nil {
		t.Skip(err)
	}
	h.Start()
	g := SpawnOn(h, Sleep, time.Hour)
	ctx := g.Context()
	if ctx.Err() != nil {
		t.Fatal("cancelled early")
	}
	h.Stop()
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), ErrHubStopped) {
		t.Errorf("cause after hub stop %v", context.Cause(ctx))
	}
}

// A greenlet of a hub never started: its context, asked from a plain
// goroutine, is over at once (nothing would answer), like a Join of it.
func TestContextOfNeverStartedHub(t *testing.T) {
	h, err := hub.New(hub.Config{ErrorHandler: func(error) {}})
	if err != nil {
		t.Skip(err)
	}
	defer h.Stop()
	g := SpawnOn(h, Sleep, time.Hour)
	ctx := g.Context()
	if ctx.Err() == nil || !errors.Is(context.Cause(ctx), ErrNotStarted) {
		t.Fatalf("context of a greenlet of a hub never started: %v, cause %v", ctx.Err(), context.Cause(ctx))
	}
}

func TestSpawnContext(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		type key struct{}
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
		var seen any
		g := SpawnContext(ctx, func() { seen = Context().Value(key{}); Sleep(time.Hour) })
		Yield()
		cancel()
		if err := g.JoinTimeout(10 * time.Second); !errors.Is(err, context.Canceled) {
			t.Errorf("join = %v", err)
		}
		if seen != "v" {
			t.Errorf("value %v", seen)
		}
		ran := false
		g2 := SpawnContext(ctx, func() { ran = true })
		if err := g2.Join(); !errors.Is(err, context.Canceled) || ran {
			t.Errorf("spawned on a done context: %v ran %v", err, ran)
		}
		// A greenlet that ends first stops following its context.
		ctx3, cancel3 := context.WithCancel(context.Background())
		g3 := SpawnContext(ctx3, func() int { return 3 })
		if v, err := g3.Get(); v != 3 || err != nil {
			t.Errorf("g3 = %v %v", v, err)
		}
		cancel3()
		Sleep(time.Millisecond)
		if g3.Err() != nil {
			t.Error("a dead greenlet was killed")
		}
	})
}

func TestContextWaits(t *testing.T) {
	// The plain goroutine's waits below bind their objects to the
	// default hub, which then runs for the rest of the process: start it
	// (and the blocking monitor) before the leak check counts.
	SpawnOn(hub.Default(), func() {}).Join()
	th := newTestHub(t)
	expired := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s = %v, want DeadlineExceeded", what, err)
		}
	}
	waits := func() {
		sem := NewSemaphore(0)
		check("AcquireContext", sem.AcquireContext(expired()))
		var l Lock
		l.BindHub(th.Hub)
		th.run(t, func() { l.Acquire() })
		check("Lock.AcquireContext", l.AcquireContext(expired()))
		var e Event
		check("WaitContext", e.WaitContext(expired()))
		var r AsyncResult
		_, err := r.GetContext(expired())
		check("AsyncResult.GetContext", err)
		q := NewQueue[int](1)
		_, err = q.GetContext(expired())
		check("GetContext", err)
		q.Put(1)
		check("PutContext", q.PutContext(expired(), 2))
		var c Channel[int]
		check("Channel.PutContext", c.PutContext(expired(), 1))
		_, err = c.GetContext(expired())
		check("Channel.GetContext", err)
		g := SpawnOn(th.Hub, Sleep, time.Hour)
		check("JoinContext", g.JoinContext(expired()))
		tk := GoOn(th.Hub, func() (int, error) { Sleep(time.Hour); return 1, nil })
		_, err = tk.GetContext(expired())
		check("Task.GetContext", err)
		g.Kill()
		tk.Kill()
		// Nothing was consumed: the queue holds its one item, the
		// semaphore gives its permit to the next one.
		if n, err := q.GetNowait(); n != 1 || err != nil || q.Len() != 0 {
			t.Errorf("queue after PutContext: %v %v len %d", n, err, q.Len())
		}
		sem.Release()
		if !sem.TryAcquire() {
			t.Error("permit lost")
		}
		// A done context: no wait at all; a live one: the wait completes.
		done, cancel := context.WithCancel(context.Background())
		cancel()
		e.Set()
		if err := e.WaitContext(done); err != context.Canceled {
			t.Errorf("done ctx = %v", err)
		}
		if err := e.WaitContext(context.Background()); err != nil {
			t.Error(err)
		}
		live, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		q.Put(5)
		if n, err := q.GetContext(live); n != 5 || err != nil {
			t.Errorf("GetContext = %v %v", n, err)
		}
	}
	t.Run("greenlet", func(t *testing.T) { th.run(t, waits) })
	t.Run("plain goroutine", func(t *testing.T) { waits() })
}

// Kill outranks a context that ends meanwhile, and a context wait that is
// killed unwinds as a kill.
func TestContextWaitKilled(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var e Event
		g := Spawn(func() error { return e.WaitContext(context.Background()) })
		Yield()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		g2 := Spawn(func() error { return e.WaitContext(ctx) })
		Yield()
		g.Kill()
		g2.Kill()
		if !g.Killed() || !g2.Killed() {
			t.Errorf("killed %v %v (%v %v)", g.Killed(), g2.Killed(), g.Err(), g2.Err())
		}
	})
}

func TestJoinHub(t *testing.T) {
	th := newTestHub(t)
	done := 0
	th.run(t, func() {
		for i := range 5 {
			Spawn(func() {
				Sleep(time.Duration(i) * time.Millisecond)
				Spawn(func() { Sleep(time.Millisecond); done++ }) // spawned meanwhile
				done++
			})
		}
		if err := JoinHub(nil); err != nil {
			t.Error(err)
		}
		if done != 10 {
			t.Errorf("done %d after JoinHub", done)
		}
	})
	SpawnOn(th.Hub, Sleep, 5*time.Millisecond)
	if err := JoinHub(th.Hub); err != nil {
		t.Errorf("plain goroutine JoinHub = %v", err)
	}
}

func TestTimeoutCustomErrorAndValue(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		err := NewTimeoutErr(time.Millisecond, errBoom).Do(func() { Sleep(time.Hour) })
		if err != errBoom {
			t.Errorf("Do = %v, want errBoom", err)
		}
		g := Spawn(func() { NewTimeoutErr(time.Millisecond, errBoom).Start(); Sleep(time.Hour) })
		if err := g.Join(); err != errBoom {
			t.Errorf("uncaught custom timeout = %v", err)
		}
		v, err := WithTimeoutValue(time.Millisecond, "late", func() (string, error) { Sleep(time.Hour); return "x", nil })
		if v != "late" || err != nil {
			t.Errorf("WithTimeoutValue = %q, %v", v, err)
		}
		v, err = WithTimeoutValue(time.Hour, "late", func() (string, error) { return "x", errBoom })
		if v != "x" || err != errBoom {
			t.Errorf("WithTimeoutValue in time = %q, %v", v, err)
		}
	})
	if _, err := WithTimeoutValue(time.Hour, 1, func() (int, error) { return 2, nil }); err != ErrNotGreenlet {
		t.Errorf("from a goroutine: %v", err)
	}
}

// Main's panic is returned, not also logged as unhandled.
func TestMainPanicNotLogged(t *testing.T) {
	var logged []error
	h := hub.Default()
	h.SetErrorHandler(func(err error) { logged = append(logged, err) })
	defer h.SetErrorHandler(nil)
	for range 20 {
		if err := Main(func() { panic(errBoom) }); !errors.Is(err, errBoom) {
			t.Fatal(err)
		}
	}
	if len(logged) != 0 {
		t.Errorf("logged %v", logged)
	}
}
