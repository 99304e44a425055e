package greenhttp_test

import (
	"os"
	"sync"
	"testing"

	"github.com/greenrt/green/pool"
)

// TestMain starts every goroutine of the default thread pool first: they
// are process-wide and stay (name resolution and cross-hub closes use
// them), so that the leak checks of the tests do not count them.
func TestMain(m *testing.M) {
	n := pool.DefaultThreadPool().Size()
	var started, release sync.WaitGroup
	started.Add(n)
	release.Add(1)
	var done sync.WaitGroup
	for range n {
		done.Go(func() {
			pool.Offload(func() (struct{}, error) {
				started.Done()
				release.Wait() // hold this pool goroutine until all n run
				return struct{}{}, nil
			})
		})
	}
	started.Wait()
	release.Done()
	done.Wait()
	os.Exit(m.Run())
}
