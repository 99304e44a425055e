package pool

import (
	"runtime"
	"slices"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/iter"
	cpool "github.com/sourcegraph/conc/pool"
)

const (
	benchTasks   = 10_000
	benchWorkers = 100
)

func trivial(x int) (int, error) { return x * 2, nil }

// perTask reports ns and allocations per task for b.N runs of n tasks.
func perTask(b *testing.B, n int, body func()) {
	b.Helper()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	body()
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	tasks := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/tasks, "ns/task")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/tasks, "allocs/task")
}

// inGreenlet runs fn in a greenlet of a fresh hub and waits for it.
func inGreenlet(b *testing.B, fn func()) {
	h, err := hub.New(hub.Config{})
	if err != nil {
		b.Fatal(err)
	}
	h.Start()
	defer h.Stop()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPoolMap maps 10,000 trivial tasks through 100 greenlets (or
// goroutines), reporting ns and allocations per task. The conc
// sub-benchmarks are the goroutine baselines the README compares with.
func BenchmarkPoolMap(b *testing.B) {
	in := make([]int, benchTasks)
	for i := range in {
		in[i] = i
	}
	check := func(out []int) {
		if len(out) != benchTasks || out[benchTasks-1] != 2*(benchTasks-1) {
			b.Fatal("wrong result")
		}
	}
	b.Run("green/Map", func(b *testing.B) {
		p, _ := NewPool(benchWorkers)
		inGreenlet(b, func() {
			perTask(b, benchTasks, func() {
				for range b.N {
					out, _ := Map(p, in, trivial)
					check(out)
				}
			})
		})
	})
	b.Run("green/ImapUnordered", func(b *testing.B) {
		// One greenlet per task, as gevent's imap_unordered.
		p, _ := NewPool(benchWorkers)
		inGreenlet(b, func() {
			perTask(b, benchTasks, func() {
				for range b.N {
					n := 0
					for range ImapUnordered(p, slices.Values(in), trivial) {
						n++
					}
					if n != benchTasks {
						b.Fatal(n)
					}
				}
			})
		})
	})
	b.Run("green/Spawn", func(b *testing.B) {
		// gevent's idiom: pool.spawn per task, then pool.join.
		p, _ := NewPool(benchWorkers)
		out := make([]int, benchTasks)
		inGreenlet(b, func() {
			perTask(b, benchTasks, func() {
				for range b.N {
					for i := range in {
						p.Spawn(func() { out[i], _ = trivial(in[i]) })
					}
					p.Join()
					check(out)
				}
			})
		})
	})
	b.Run("conc/iter.Map", func(b *testing.B) {
		m := iter.Mapper[int, int]{MaxGoroutines: benchWorkers}
		perTask(b, benchTasks, func() {
			for range b.N {
				check(m.Map(in, func(x *int) int { v, _ := trivial(*x); return v }))
			}
		})
	})
	b.Run("conc/pool", func(b *testing.B) {
		out := make([]int, benchTasks)
		perTask(b, benchTasks, func() {
			for range b.N {
				p := cpool.New().WithMaxGoroutines(benchWorkers)
				for i := range in {
					p.Go(func() { out[i], _ = trivial(in[i]) })
				}
				p.Wait()
				check(out)
			}
		})
	})
}
