//go:build unix

package greenexec_test

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// TestMain starts package signal's goroutine before any test, so that
// the leak checks see a stable goroutine count.
func TestMain(m *testing.M) {
	// The first signal.Notify starts package signal's goroutine for
	// good (the pidfd fallback listens for SIGCHLD).
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGCHLD)
	signal.Stop(c)
	os.Exit(m.Run())
}

// run runs fn in a greenlet of h and fails the test with its error.
func run(t testing.TB, h *hub.Hub, fn func() error) {
	t.Helper()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		t.Fatal(err)
	}
}

// need skips the test without the named programs.
func need(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skip(err)
		}
	}
}

// reaped waits (bounded) until pid is gone, zombie included: kill(pid, 0)
// succeeds on a zombie, so ESRCH means it was reaped.
func reaped(pid int) error {
	for i := 0; i < 1000; i++ {
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return errors.New("process still exists (running or a zombie)")
}
