package threadpool_test

import (
	"context"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/threadpool"
)

// BenchmarkCall measures one offloaded call round trip: greenlet -> pool
// goroutine -> greenlet; from a plain goroutine; and, as the plain-Go
// baseline, a goroutine started per call and waited for with a channel.
func BenchmarkCall(b *testing.B) {
	fn := func(context.Context) (int, error) { return 1, nil }
	b.Run("greenlet", func(b *testing.B) {
		th := testutil.NewHubNoLeakCheck(b)
		tp, _ := threadpool.New(0)
		defer tp.Close()
		b.ReportAllocs()
		green.SpawnOn(th.Hub, func() {
			b.ResetTimer()
			for range b.N {
				threadpool.CallOn(tp, context.Background(), fn)
			}
			b.StopTimer()
		}).Join()
	})
	b.Run("goroutine", func(b *testing.B) {
		tp, _ := threadpool.New(0)
		defer tp.Close()
		b.ReportAllocs()
		for range b.N {
			threadpool.CallOn(tp, context.Background(), fn)
		}
	})
	b.Run("go-statement+channel", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			ch := make(chan int, 1)
			go func() { v, _ := fn(context.Background()); ch <- v }()
			<-ch
		}
	})
}
