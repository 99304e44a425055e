//go:build unix

package greensignal_test

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greensignal"
)

// Each signal runs the handler in a new greenlet of the hub, which may
// park; after Stop no handler starts.
func TestHandle(t *testing.T) {
	h := testutil.NewHub(t)
	got := green.NewQueue[string](0)
	got.BindHub(h.Hub)
	hd, err := greensignal.HandleOn(h.Hub, func(sig os.Signal) {
		g := green.Current()
		if g == nil || g.Hub() != h.Hub {
			got.Put("not a greenlet of the hub")
			return
		}
		green.Sleep(time.Millisecond) // a handler may park
		got.Put(sig.String())
	}, syscall.SIGUSR1)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		raise(syscall.SIGUSR1)
		s, err := got.Get() // a plain goroutine: blocks until the handler puts
		if err != nil || s != syscall.SIGUSR1.String() {
			t.Fatalf("handler got %q, %v", s, err)
		}
	}
	hd.Stop()
	hd.Stop() // idempotent
	raise(syscall.SIGUSR1)
	if s, err := got.GetTimeout(50 * time.Millisecond); err == nil {
		t.Fatalf("a handler ran after Stop: %q", s)
	}
}

// While a Handler is installed, a greenlet waiting for what the handler
// does is not failed with ErrDeadlock when a plain goroutine joins it.
func TestHandlerHoldsHub(t *testing.T) {
	h := testutil.NewHub(t)
	var ev green.Event
	ev.BindHub(h.Hub)
	hd, err := greensignal.HandleOn(h.Hub, func(os.Signal) { ev.Set() }, syscall.SIGUSR2)
	if err != nil {
		t.Fatal(err)
	}
	defer hd.Stop()
	go func() { time.Sleep(50 * time.Millisecond); raise(syscall.SIGUSR2) }()
	err = green.SpawnOn(h.Hub, ev.Wait).Join()
	if errors.Is(err, hub.ErrDeadlock) {
		t.Fatal("false deadlock while a signal handler was installed")
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Bad input gets an error; a Handler ends when its hub stops (the leak
// check counts its goroutine).
func TestHandleErrorsAndHubStop(t *testing.T) {
	h := testutil.NewHub(t)
	if _, err := greensignal.HandleOn(h.Hub, func(os.Signal) {}); !errors.Is(err, greensignal.ErrNoSignals) {
		t.Errorf("no signals: %v", err)
	}
	if _, err := greensignal.HandleOn(h.Hub, nil, syscall.SIGUSR1); !errors.Is(err, greensignal.ErrNilHandler) {
		t.Errorf("nil handler: %v", err)
	}
	if _, err := greensignal.HandleOn(nil, func(os.Signal) {}, syscall.SIGUSR1); !errors.Is(err, hub.ErrStopped) {
		t.Errorf("nil hub: %v", err)
	}
	if _, err := greensignal.HandleOn(h.Hub, func(os.Signal) {}, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	h.Stop() // the Handler stops with its hub
	if _, err := greensignal.HandleOn(h.Hub, func(os.Signal) {}, syscall.SIGUSR1); !errors.Is(err, hub.ErrStopped) {
		t.Errorf("stopped hub: %v", err)
	}
}

// WaitContext parks a greenlet until its context is done (the hub keeps
// ticking, and a plain goroutine joining it sees no false deadlock),
// blocks a plain goroutine, and refuses hub callbacks and nil contexts.
func TestWaitContext(t *testing.T) {
	h := testutil.NewHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	gl := green.SpawnOn(h.Hub, func() error { return greensignal.WaitContext(ctx) })
	if err := gl.Join(); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitContext: %v", err)
	}

	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	tctx, tcancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer tcancel()
	gl = green.SpawnOn(h.Hub, func() error { return greensignal.WaitContext(tctx) })
	if err := gl.Join(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitContext with a deadline: %v", err)
	}
	if gap := gt.Stop(); gap > 150*time.Millisecond { // a blocked hub: about 200 ms
		t.Errorf("hub gap %v while a greenlet waited 200ms on a context", gap)
	}

	if err := greensignal.WaitContext(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("plain goroutine: %v", err)
	}
	var cbErr error
	h.Call(func() { cbErr = greensignal.WaitContext(ctx) })
	if !errors.Is(cbErr, hub.ErrNotCoroutine) {
		t.Errorf("hub callback: %v", cbErr)
	}
	//lint:ignore SA1012 a nil context is the bad input under test
	if err := greensignal.WaitContext(nil); !errors.Is(err, greensignal.ErrNilContext) {
		t.Errorf("nil context: %v", err)
	}
	// A context that is never done: deadlock detection ends the wait.
	err := green.SpawnOn(h.Hub, func() error { return greensignal.WaitContext(context.Background()) }).Join()
	if !errors.Is(err, hub.ErrDeadlock) {
		t.Errorf("waiting on a context that is never done: %v, want ErrDeadlock", err)
	}
}

// NotifyContext and WaitContext: a greenlet parks until the signal comes.
func TestNotifyContext(t *testing.T) {
	h := testutil.NewHub(t)
	ctx, stop := greensignal.NotifyContext(context.Background(), syscall.SIGUSR2)
	defer stop()
	go func() { time.Sleep(20 * time.Millisecond); raise(syscall.SIGUSR2) }()
	err := green.SpawnOn(h.Hub, func() error { return greensignal.WaitContext(ctx) }).Join()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after the signal: %v", err)
	}
	if cause := context.Cause(ctx); cause == nil || cause == context.Canceled {
		t.Errorf("cause %v, want the signal", cause)
	}
}
