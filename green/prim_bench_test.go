package green

import (
	"errors"
	"runtime"
	"testing"

	"github.com/greenrt/green/hub"
)

// batch is the buffer of the channel baseline and the bound of the
// bounded queue; the unbounded producer yields after each batch.
const benchBatch = 128

// gomaxprocs1 runs the rest of the benchmark at GOMAXPROCS=1.
func gomaxprocs1(b *testing.B) {
	old := runtime.GOMAXPROCS(1)
	b.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

func primBenchHub(b *testing.B) *hub.Hub {
	h, err := hub.New(hub.Config{})
	if errors.Is(err, hub.ErrUnsupported) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Stop() })
	return h
}

// BenchmarkQueueHandoff passes b.N ints from a producer to a consumer: Go
// goroutines over a buffered channel at GOMAXPROCS=1 (the baseline), and
// greenlets over an unbounded Queue (the producer yields after every
// benchBatch puts, as a producer doing some work would) and over a Queue
// bounded like the channel.
func BenchmarkQueueHandoff(b *testing.B) {
	b.Run("chan-buffered-128/GOMAXPROCS=1", func(b *testing.B) {
		gomaxprocs1(b)
		b.ReportAllocs()
		ch := make(chan int, benchBatch)
		done := make(chan int)
		b.ResetTimer()
		go func() {
			s := 0
			for range b.N {
				s += <-ch
			}
			done <- s
		}()
		for i := range b.N {
			ch <- i
		}
		<-done
	})
	queue := func(b *testing.B, maxsize int, yieldEvery int) {
		gomaxprocs1(b)
		h := primBenchHub(b)
		q := NewQueue[int](maxsize)
		q.BindHub(h)
		b.ReportAllocs()
		b.ResetTimer()
		c := SpawnOn(h, func() (int, error) {
			s := 0
			for range b.N {
				v, err := q.Get()
				if err != nil {
					return 0, err
				}
				s += v
			}
			return s, nil
		})
		SpawnOn(h, func() {
			for i := range b.N {
				q.Put(i)
				if yieldEvery > 0 && i%yieldEvery == yieldEvery-1 {
					Yield()
				}
			}
		})
		if _, err := c.Get(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("queue-unbounded/GOMAXPROCS=1", func(b *testing.B) { queue(b, 0, benchBatch) })
	b.Run("queue-bounded-128/GOMAXPROCS=1", func(b *testing.B) { queue(b, benchBatch, 0) })
}

// BenchmarkChannelRendezvous passes b.N ints through a Channel, where each
// put waits for its get: one switch per item each way. The baseline is an
// unbuffered Go channel between goroutines at GOMAXPROCS=1.
func BenchmarkChannelRendezvous(b *testing.B) {
	b.Run("chan-unbuffered/GOMAXPROCS=1", func(b *testing.B) {
		gomaxprocs1(b)
		b.ReportAllocs()
		ch := make(chan int)
		done := make(chan struct{})
		b.ResetTimer()
		go func() {
			for range b.N {
				<-ch
			}
			close(done)
		}()
		for i := range b.N {
			ch <- i
		}
		<-done
	})
	b.Run("green-channel/GOMAXPROCS=1", func(b *testing.B) {
		gomaxprocs1(b)
		h := primBenchHub(b)
		c := new(Channel[int])
		c.BindHub(h)
		b.ReportAllocs()
		b.ResetTimer()
		g := SpawnOn(h, func() {
			for range b.N {
				c.Get()
			}
		})
		SpawnOn(h, func() {
			for i := range b.N {
				c.Put(i)
			}
		})
		g.Join()
	})
}

// BenchmarkEventWakeAll measures one Set waking 1,000 waiting greenlets
// and each of them running until it waits again.
func BenchmarkEventWakeAll(b *testing.B) {
	const waiters = 1000
	b.Run("waiters=1000", func(b *testing.B) {
		h := primBenchHub(b)
		var evs [2]Event
		evs[0].BindHub(h)
		evs[1].BindHub(h)
		woken := 0
		for range waiters {
			SpawnOn(h, func() {
				for i := range b.N {
					evs[i%2].Wait()
					woken++
				}
			})
		}
		b.ReportAllocs()
		d := SpawnOn(h, func() {
			settle()
			b.ResetTimer()
			for i := range b.N {
				evs[(i+1)%2].Clear()
				evs[i%2].Set()
				Yield()
				if woken != waiters*(i+1) {
					b.Errorf("woken %d after %d sets", woken, i+1)
					return
				}
			}
			b.StopTimer()
		})
		d.Join()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/waiters, "ns/waiter")
	})
}

// BenchmarkQueueBridge measures the cross-goroutine bridge: a plain
// goroutine putting into an unbounded Queue (one hub.Call per put) that a
// greenlet drains.
func BenchmarkQueueBridge(b *testing.B) {
	b.Run("goroutine-put/greenlet-get", func(b *testing.B) {
		h := primBenchHub(b)
		q := NewQueue[int](0)
		q.BindHub(h)
		release := h.Hold()
		defer release()
		b.ReportAllocs()
		b.ResetTimer()
		c := SpawnOn(h, func() {
			for range b.N {
				q.Get()
			}
		})
		for i := range b.N {
			q.Put(i)
		}
		c.Join()
	})
}
