package green

import (
	"runtime"
	"testing"
)

// BenchmarkGreenletStack is what it costs to get the stack of one parked
// greenlet among n: directly (hub.G.StackOf, which run-info and the
// blocking monitor use: independent of n) and through runtime.Stack of
// every goroutine, the only standard way, which stops the world for about
// 10 µs per parked greenlet.
func BenchmarkGreenletStack(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		h := benchHub(b)
		gs := make([]*Greenlet, n)
		SpawnOn(h, func() {
			for i := range gs {
				gs[i] = Spawn(sleepHour)
			}
			Yield() // they all start and park
		}).Join()
		b.Run("StackOf/"+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				h.Call(func() {
					if gs[0].g.StackOf() == "" {
						b.Fatal("no stack")
					}
				})
			}
		})
		b.Run("runtime.Stack-all/"+itoa(n), func(b *testing.B) {
			buf := make([]byte, 32<<20)
			for range b.N {
				runtime.Stack(buf, true)
			}
		})
		KillAll(gs...)
	}
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}
