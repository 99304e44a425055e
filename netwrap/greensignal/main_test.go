//go:build unix

package greensignal_test

import (
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// TestMain keeps SIGUSR1 and SIGUSR2 caught for the whole run, so that a
// signal sent after a Handler's Stop cannot kill the test binary, and
// starts package signal's goroutine (which lives for good) before the
// leak checks count goroutines.
func TestMain(m *testing.M) {
	guard := make(chan os.Signal, 16)
	signal.Notify(guard, syscall.SIGUSR1, syscall.SIGUSR2)
	os.Exit(m.Run())
}

// raise sends sig to this process.
func raise(sig syscall.Signal) { syscall.Kill(os.Getpid(), sig) }
