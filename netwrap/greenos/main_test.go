package greenos_test

import (
	"os"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap/internal/offload"
)

// TestMain starts the thread pool's goroutines before any test, so that
// the leak checks of the tests see a stable goroutine count.
func TestMain(m *testing.M) {
	offload.Warm()
	os.Exit(m.Run())
}

// run runs fn in a greenlet of h and fails the test with its error. fn
// must not call t.Fatal (Goexit in a greenlet); it returns an error.
func run(t testing.TB, h *hub.Hub, fn func() error) {
	t.Helper()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		t.Fatal(err)
	}
}
