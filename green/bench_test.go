package green

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// benchHub returns a private hub for a benchmark.
func benchHub(b *testing.B) *hub.Hub {
	b.Helper()
	h, err := hub.New(hub.Config{})
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Stop() })
	return h
}

// BenchmarkSwitch measures one greenlet switch: two greenlets call Yield
// back and forth; ns/op is per Yield. The channel and iter.Pull
// sub-benchmarks are the baselines of the same run: one op is one round
// trip between two goroutines (two switches).
func BenchmarkSwitch(b *testing.B) {
	b.Run("green-yield", func(b *testing.B) {
		h := benchHub(b)
		n := b.N
		b.ReportAllocs()
		b.ResetTimer()
		f := func() {
			for i := 0; i < n/2; i++ {
				Yield()
			}
		}
		JoinAll(SpawnOn(h, f), SpawnOn(h, f))
	})
	b.Run("chan-roundtrip", func(b *testing.B) {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	})
}

// BenchmarkSpawnJoin spawns and joins one trivial greenlet per op, from a
// greenlet of the same hub.
func BenchmarkSpawnJoin(b *testing.B) {
	b.Run("green", func(b *testing.B) {
		h := benchHub(b)
		n := b.N
		nop := func() {}
		b.ReportAllocs()
		b.ResetTimer()
		SpawnOn(h, func() {
			for i := 0; i < n; i++ {
				Spawn(nop).Join()
			}
		}).Join()
	})
	// A value through Spawn (boxed in an any) beside the typed Go: the
	// same work, a value of 1000+i returned and read back.
	b.Run("green-value", func(b *testing.B) {
		h := benchHub(b)
		n := b.N
		b.ReportAllocs()
		b.ResetTimer()
		SpawnOn(h, func() {
			sum := 0
			for i := 0; i < n; i++ {
				v, _ := Spawn(func() (any, error) { return 1000 + i, nil }).Get()
				sum += v.(int)
			}
		}).Join()
	})
	b.Run("green-typed", func(b *testing.B) {
		h := benchHub(b)
		n := b.N
		b.ReportAllocs()
		b.ResetTimer()
		SpawnOn(h, func() {
			sum := 0
			for i := 0; i < n; i++ {
				v, _ := Go(func() (int, error) { return 1000 + i, nil }).Get()
				sum += v
			}
		}).Join()
	})
	b.Run("goroutine-waitgroup", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			done := make(chan struct{})
			go func() { close(done) }()
			<-done
		}
	})
}

// BenchmarkSleepTimers has 10,000 greenlets each sleep a random time under
// 1 ms, so the hub is never idle for long; ns/timer is the wall time per
// timer (arm, fire, wake, resume, plus spawn and join), which the sleeps
// themselves bound from below at 0.1 µs per timer (1 ms / 10,000).
func BenchmarkSleepTimers(b *testing.B) {
	const n = 10_000
	b.Run("10k", func(b *testing.B) {
		h := benchHub(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			SpawnOn(h, func() {
				gs := make([]*Greenlet, n)
				for j := range gs {
					d := time.Duration(rand.IntN(1000)) * time.Microsecond
					gs[j] = Spawn(func() { Sleep(d) })
				}
				JoinAll(gs...)
			}).Join()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/timer")
	})
}

// BenchmarkParked parks 100,000 greenlets and reports their memory cost:
// growth of StackInuse+HeapInuse divided by the count.
func BenchmarkParked(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		perGreenlet := parkMany(b, n)
		b.ReportMetric(perGreenlet, "bytes/greenlet")
	}
	b.ReportMetric(0, "ns/op")
}

// parkMany parks n greenlets on a private hub, measures, and kills them.
func parkMany(tb testing.TB, n int) float64 {
	h, err := hub.New(hub.Config{MaxIdleWorkers: -1})
	if err != nil {
		tb.Fatal(err)
	}
	h.Start()
	defer h.Stop()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ev := make(chan struct{})
	var gs []*Greenlet
	SpawnOn(h, func() {
		gs = make([]*Greenlet, n)
		for i := range gs {
			gs[i] = Spawn(sleepHour)
		}
		Yield() // let them all start and park
		close(ev)
	})
	<-ev
	runtime.GC()
	runtime.ReadMemStats(&after)
	grow := float64(after.StackInuse+after.HeapInuse) - float64(before.StackInuse+before.HeapInuse)
	if testing.Verbose() {
		fmt.Printf("parked %d: stack %d B/greenlet, heap %d B/greenlet\n", n,
			int64(after.StackInuse-before.StackInuse)/int64(n), (int64(after.HeapInuse)-int64(before.HeapInuse))/int64(n))
	}
	if err := KillAll(gs...); err != nil {
		tb.Fatal(err)
	}
	return grow / float64(n)
}

func sleepHour() { Sleep(time.Hour) }
