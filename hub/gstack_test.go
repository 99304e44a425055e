package hub

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// parkedGoroutines starts n goroutines blocked in a channel receive and
// returns the g of the last one and the release function.
func parkedGoroutines(n int) (uintptr, func()) {
	release := make(chan struct{})
	got := make(chan uintptr, 1)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		last := i == n-1
		go func() {
			defer wg.Done()
			if last {
				got <- getg()
			}
			<-release
		}()
	}
	g := <-got
	time.Sleep(10 * time.Millisecond) // let it block
	return g, func() { close(release); wg.Wait() }
}

func TestStackOfParkedGoroutine(t *testing.T) {
	if !stackSupported() {
		t.Skip("no direct stack reading here")
	}
	g, release := parkedGoroutines(1)
	defer release()
	s := stackOf(g, 0)
	if !s.ok || s.state != "chan receive" || !strings.Contains(s.String(), "runtime.chanrecv1") ||
		!strings.Contains(s.String(), "hub.parkedGoroutines.func1") {
		t.Fatalf("%+v\n%s", s, s)
	}
}

// BenchmarkGoroutineStack reads one blocked goroutine's stack among n
// parked ones directly (fast) and through runtime.Stack of every
// goroutine (dump), which stops the world for the whole dump.
func BenchmarkGoroutineStack(b *testing.B) {
	for _, n := range []int{1, 1000} {
		g, release := parkedGoroutines(n)
		b.Run("fast/"+itoa(n), func(b *testing.B) {
			if !stackSupported() {
				b.Skip("no direct stack reading here")
			}
			b.ReportAllocs()
			for range b.N {
				if s := fastStack(g, 0); !s.ok {
					b.Fatal("not read")
				}
			}
		})
		b.Run("runtime.Stack-all/"+itoa(n), func(b *testing.B) {
			buf := make([]byte, 64<<20)
			b.ReportAllocs()
			for range b.N {
				runtime.Stack(buf, true)
			}
		})
		release()
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
