// Package testutil is the one set of test helpers of this module: private
// hubs that collect what they report and stop at the end of the test, leak
// checks for goroutines and file descriptors, and the gap ticker that
// measures how long a hub went without running its other greenlets.
//
// It imports only hub and green, so that every package's tests (but hub's
// and green's own internal ones, which would form an import cycle) can use
// it; hub and green test from external _test packages where they need it.
package testutil

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// Hub is a private running hub for one test. Errors it reports (panics of
// greenlets, deadlocks provoked on purpose) are collected instead of being
// logged through slog, and logged to the test.
type Hub struct {
	*hub.Hub
	mu     sync.Mutex
	errors []error
}

// NewHub starts a private hub that is stopped when the test ends, after
// which the test fails if goroutines or file descriptors leaked (see
// CheckLeaks). It skips the test where hubs are unsupported.
func NewHub(t testing.TB) *Hub {
	t.Helper()
	CheckLeaks(t)
	return NewHubNoLeakCheck(t)
}

// NewHubs starts n hubs with one leak check for all of them.
func NewHubs(t testing.TB, n int) []*Hub {
	t.Helper()
	CheckLeaks(t)
	hs := make([]*Hub, n)
	for i := range hs {
		hs[i] = NewHubNoLeakCheck(t)
	}
	return hs
}

// NewHubNoLeakCheck is NewHub without the leak check, for tests that
// leak on purpose or check leaks themselves.
func NewHubNoLeakCheck(t testing.TB) *Hub {
	t.Helper()
	th := &Hub{}
	h, err := hub.New(hub.Config{ErrorHandler: th.collect(t)})
	if errors.Is(err, hub.ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	th.Hub = h
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Stop(); err != nil && !errors.Is(err, hub.ErrStopped) {
			t.Errorf("stop: %v", err)
		}
	})
	return th
}

func (th *Hub) collect(t testing.TB) func(error) {
	return func(err error) {
		th.mu.Lock()
		th.errors = append(th.errors, err)
		th.mu.Unlock()
		t.Logf("hub reported: %v", err)
	}
}

// Reported returns the errors the hub has reported so far.
func (th *Hub) Reported() []error {
	th.mu.Lock()
	defer th.mu.Unlock()
	return append([]error(nil), th.errors...)
}

// CheckLeaks records the number of goroutines and open file descriptors
// now and fails the test if, once the test and the cleanups registered
// after this call have finished, they do not come back to at most that
// within a bounded wait (exiting goroutines take a moment to disappear).
func CheckLeaks(t testing.TB) {
	t.Helper()
	g0, fd0 := runtime.NumGoroutine(), OpenFDs()
	t.Cleanup(func() {
		var g, fd int
		for i := 0; i < 1000; i++ {
			g, fd = runtime.NumGoroutine(), OpenFDs()
			if g <= g0 && fd <= fd0 {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		buf := make([]byte, 1<<20)
		t.Errorf("leak: goroutines %d -> %d, file descriptors %d -> %d\n%s",
			g0, g, fd0, fd, buf[:runtime.Stack(buf, true)])
	})
}

// OpenFDs returns the number of open file descriptors of the process
// (Linux: /proc/self/fd), or 0 where that cannot be read.
func OpenFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

// Stacks returns every goroutine's stack, for failure messages.
func Stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// StackHas reports whether some goroutine's stack mentions every one of
// the given strings within one goroutine's block.
func StackHas(parts ...string) bool {
	for _, g := range strings.Split(Stacks(), "\n\n") {
		ok := true
		for _, p := range parts {
			if !strings.Contains(g, p) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
