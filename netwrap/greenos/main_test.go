//go:build unix

package greenos_test

import (
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// run runs fn in a greenlet of h and fails the test with its error. fn
// must not call t.Fatal (Goexit in a greenlet); it returns an error.
func run(t testing.TB, h *hub.Hub, fn func() error) {
	t.Helper()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		t.Fatal(err)
	}
}
