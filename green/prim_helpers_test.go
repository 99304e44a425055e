package green

import (
	"errors"
	"runtime"
	"testing"

	"github.com/greenrt/green/hub"
)

// The helpers of green's own tests. (The other packages use
// internal/testutil, which imports green and so cannot be used here; these
// are its counterparts for the tests inside package green.)

// primHub returns a private running hub, stopped at the end of the test,
// and checks that the test leaves no goroutine behind.
func primHub(t testing.TB) *hub.Hub { return newTestHub(t).Hub }

// primCheckLeaks checks at the end of the test (after the cleanups
// registered later) that no goroutine was left behind.
func primCheckLeaks(t testing.TB) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() { waitGoroutines(t, before) })
}

// primNewHub returns a private running hub stopped at the end of the
// test, without a leak check of its own.
func primNewHub(t testing.TB) *hub.Hub { return newLeakyTestHub(t, 1<<20).Hub }

// primRun runs fn in a greenlet of h and waits for it, failing the test if
// it did not succeed.
func primRun(t testing.TB, h *hub.Hub, fn func()) {
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
