package pool

import (
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

// newHub starts a private hub, stopped at the end of the test, and checks
// (after the stop) that the test leaked no goroutine or descriptor.
func newHub(t testing.TB) *hub.Hub { return testutil.NewHub(t).Hub }

// newHubNoLeakCheck is newHub without the leak check.
func newHubNoLeakCheck(t testing.TB) *hub.Hub { return testutil.NewHubNoLeakCheck(t).Hub }

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
