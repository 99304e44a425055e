package pool

import (
	"runtime"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// newHub starts a private hub, stopped at the end of the test, and checks
// (after the stop) that the test leaked no goroutine.
func newHub(t testing.TB) *hub.Hub {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() { noLeak(t, before) })
	return newHubNoLeakCheck(t)
}

// newHubNoLeakCheck is newHub without the leak check.
func newHubNoLeakCheck(t testing.TB) *hub.Hub {
	t.Helper()
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Stop() })
	return h
}

// noLeak waits until the number of goroutines is back to before. Exiting
// goroutines need a moment to be reaped, so it polls; a real leak never
// gets there and fails after many rounds.
func noLeak(t testing.TB, before int) {
	t.Helper()
	n := 0
	for i := 0; i < 5000; i++ {
		if n = runtime.NumGoroutine(); n <= before {
			return
		}
		time.Sleep(time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	t.Errorf("goroutines leaked: %d before, %d after\n%s", before, n, buf)
}

// run runs fn in a greenlet on h and waits for it, failing the test if it
// failed.
func run(t testing.TB, h *hub.Hub, fn func()) {
	t.Helper()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		t.Fatal(err)
	}
}

// yields lets the hub run n rounds of ready greenlets.
func yields(n int) {
	for range n {
		green.Yield()
	}
}

// sleeper parks until killed.
func sleeper() { green.Sleep(time.Hour) }
