package gsem

import (
	"context"
	"sync"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
)

// An uncontended Acquire and Release, the cost every guarded pool call
// pays, against a buffered channel used as a semaphore and a sync.Mutex.
func BenchmarkUncontended(b *testing.B) {
	ctx := context.Background()
	b.Run("gsem/greenlet", func(b *testing.B) {
		h := testutil.NewHub(b)
		s := New(1)
		b.ReportAllocs()
		green.SpawnOn(h.Hub, func() {
			for i := 0; i < b.N; i++ {
				s.Acquire(ctx)
				s.Release()
			}
		}).Join()
	})
	b.Run("gsem/goroutine", func(b *testing.B) {
		s := New(1)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s.Acquire(ctx)
			s.Release()
		}
	})
	b.Run("chan/goroutine", func(b *testing.B) {
		ch := make(chan struct{}, 1)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ch <- struct{}{}
			<-ch
		}
	})
	b.Run("mutex/goroutine", func(b *testing.B) {
		var mu sync.Mutex
		n := 0
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			mu.Lock()
			n++
			mu.Unlock()
		}
		_ = n
	})
}

// Two greenlets taking turns on one permit (every Acquire parks) against
// two goroutines on a channel semaphore.
func BenchmarkHandOff(b *testing.B) {
	ctx := context.Background()
	b.Run("gsem/greenlets", func(b *testing.B) {
		h := testutil.NewHub(b)
		s := New(1)
		b.ReportAllocs()
		work := func() {
			for i := 0; i < b.N/2; i++ {
				s.Acquire(ctx)
				green.Yield()
				s.Release()
			}
		}
		green.JoinAll(green.SpawnOn(h.Hub, work), green.SpawnOn(h.Hub, work))
	})
	b.Run("chan/goroutines", func(b *testing.B) {
		ch := make(chan struct{}, 1)
		b.ReportAllocs()
		var wg sync.WaitGroup
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < b.N/2; i++ {
					ch <- struct{}{}
					<-ch
				}
			}()
		}
		wg.Wait()
	})
}
