package greenredis_test

import (
	"context"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/internal/servers"
	"github.com/greenrt/green/internal/testutil"
)

// One PING round trip: from a greenlet through the Hook (a hand-off to the
// thread pool and back), against a stock client from a goroutine.
func BenchmarkPing(b *testing.B) {
	servers.Need(b, "redis")
	ctx := context.Background()
	b.Run("greenlet/hook", func(b *testing.B) {
		h := testutil.NewHub(b)
		gc, _ := newClientsB(b, 4)
		gc.Ping(ctx) // connect
		b.ReportAllocs()
		b.ResetTimer()
		green.SpawnOn(h.Hub, func() {
			for i := 0; i < b.N; i++ {
				if err := gc.Ping(ctx).Err(); err != nil {
					b.Error(err)
					return
				}
			}
		}).Join()
	})
	b.Run("goroutine/stock", func(b *testing.B) {
		_, plain := newClientsB(b, 4)
		plain.Ping(ctx)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := plain.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
