//go:build unix

package greenselect_test

import (
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// run runs fn in a greenlet of h and fails the test with its error.
func run(t testing.TB, h *hub.Hub, fn func() error) {
	t.Helper()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		t.Fatal(err)
	}
}

// pipe returns the two descriptors of a pipe, closed when the test ends.
func pipe(t testing.TB) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unixPipe(p[:]); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeFD(p[0]); closeFD(p[1]) })
	return p[0], p[1]
}
