package green

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// testHub is a private hub whose reported errors are collected, stopped at
// the end of the test with a check that no goroutine leaked.
type testHub struct {
	*hub.Hub
	mu     sync.Mutex
	errors []error
}

func newTestHub(t testing.TB) *testHub { return newLeakyTestHub(t, 0) }

// newTestHubs returns n test hubs; the leak check runs once, after all of
// them have stopped.
func newTestHubs(t testing.TB, n int) []*testHub {
	before := runtime.NumGoroutine()
	t.Cleanup(func() { waitGoroutines(t, before) })
	hubs := make([]*testHub, n)
	for i := range hubs {
		hubs[i] = newLeakyTestHub(t, 1<<20) // checked above instead
	}
	return hubs
}

// newLeakyTestHub is newTestHub for a test that leaks extra goroutines on
// purpose.
func newLeakyTestHub(t testing.TB, extra int) *testHub {
	t.Helper()
	before := runtime.NumGoroutine() + extra
	th := &testHub{}
	h, err := hub.New(hub.Config{ErrorHandler: func(err error) {
		th.mu.Lock()
		th.errors = append(th.errors, err)
		th.mu.Unlock()
	}})
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
		if err := h.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		waitGoroutines(t, before)
	})
	return th
}

func (th *testHub) reported() []error {
	th.mu.Lock()
	defer th.mu.Unlock()
	return append([]error(nil), th.errors...)
}

// waitGoroutines fails the test if the goroutine count does not come back
// to at most want within a bounded wait (exiting goroutines take a moment
// to disappear from the count).
func waitGoroutines(t testing.TB, want int) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if runtime.NumGoroutine() <= want {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Errorf("goroutines leaked: %d > %d\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
}

// run runs fn in a greenlet of th and waits for it, failing the test on a
// greenlet error.
func (th *testHub) run(t testing.TB, fn func()) {
	t.Helper()
	if err := SpawnOn(th.Hub, fn).Join(); err != nil {
		t.Fatalf("greenlet failed: %v", err)
	}
}
