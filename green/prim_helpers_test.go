package green

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// primHub returns a private running hub, stopped at the end of the test,
// and checks that the test leaves no goroutine behind.
func primHub(t *testing.T) *hub.Hub {
	t.Helper()
	primCheckLeaks(t)
	return primNewHub(t)
}

// primCheckLeaks checks at the end of the test (after the cleanups registered
// later) that no goroutine was left behind.
func primCheckLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		// The hub is stopped by the cleanup registered below, which runs
		// first; its pooled goroutines exit within Stop.
		n := 0
		for i := 0; i < 200; i++ {
			if n = runtime.NumGoroutine(); n <= before {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		buf := make([]byte, 1<<16)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("goroutine leak: %d before, %d after\n%s", before, n, buf)
	})
}

// primNewHub returns a private running hub stopped at the end of the test.
func primNewHub(t testing.TB) *hub.Hub {
	t.Helper()
	// Errors the hub reports (deadlocks that tests provoke on purpose)
	// go to the test log rather than to slog.
	h, err := hub.New(hub.Config{ErrorHandler: func(err error) { t.Logf("hub reported: %v", err) }})
	if errors.Is(err, hub.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Stop() })
	return h
}

// primRun runs fn in a greenlet of h and waits for it, failing the test if it
// did not succeed.
func primRun(t *testing.T, h *hub.Hub, fn func()) {
	t.Helper()
	if err := SpawnOn(h, fn).Join(); err != nil {
		t.Fatalf("greenlet failed: %v", err)
	}
}

// settle lets every ready greenlet of the caller's hub run.
func settle() {
	for range 3 {
		Yield()
	}
}

// expiredWith reports whether err is what an expired timed wait returns:
// want (ErrQueueEmpty, ErrQueueFull...) that also matches ErrTimeout.
func expiredWith(err, want error) bool {
	return errors.Is(err, want) && errors.Is(err, ErrTimeout)
}
