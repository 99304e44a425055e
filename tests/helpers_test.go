// Package tests holds cross-package tests that run the same work with this
// project's runtime and with plain Go, and compare the outcomes.
package tests

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// leakCheck records the number of goroutines and open file descriptors
// and, at cleanup, checks that both came back (allowing the runtime and
// closing connections a bounded moment to wind down).
func leakCheck(t *testing.T) {
	t.Helper()
	g0, fd0 := runtime.NumGoroutine(), openFDs(t)
	t.Cleanup(func() {
		var g, fd int
		for range 200 { // at most about 2 s of polling
			g, fd = runtime.NumGoroutine(), openFDs(t)
			if g <= g0 && fd <= fd0 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("leak: goroutines %d -> %d, fds %d -> %d\n%s", g0, g, fd0, fd, buf)
	})
}

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	return len(ents)
}
