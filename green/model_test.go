package green_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

// Seeded model tests: random operations with random timeouts and kills,
// made at once by greenlets of two hubs and by plain goroutines, checked
// against what a correct queue or semaphore allows. The seed fixes the
// operations each party makes (the interleaving is the machine's); run
// more with -model.seeds=N, or one with -model.seed=S to reproduce.

var (
	modelSeeds = flag.Int("model.seeds", 4, "number of seeds the model tests run")
	modelSeed  = flag.Uint64("model.seed", 0, "run the model tests with this one seed")
)

func seeds() []uint64 {
	if *modelSeed != 0 {
		return []uint64{*modelSeed}
	}
	s := make([]uint64, *modelSeeds)
	for i := range s {
		s[i] = uint64(i + 1)
	}
	return s
}

// party runs fn as a greenlet of one of the hubs or as a plain goroutine,
// chosen by the seed, and returns a function waiting for it and a kill
// (which does nothing for a plain goroutine).
func party(r *rand.Rand, hs []*hub.Hub, fn func()) (wait func(), kill func()) {
	if k := r.IntN(len(hs) + 1); k < len(hs) {
		g := green.SpawnOn(hs[k], fn)
		return func() { g.Join() }, func() { g.KillWith(green.KillOptions{NoWait: true}) }
	}
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	return func() { <-done }, func() {}
}

// item is what the queue model moves: who put it, and its rank among that
// producer's puts.
type item struct{ producer, seq int }

// TestModelQueue: producers put unique items with random timeouts,
// consumers get them with random timeouts, and some of both are killed
// while they wait. Every put that succeeded comes out exactly once, an item
// comes out at most once and only if it was put (a put interrupted while
// waiting may or may not have gone in), and no call fails with ErrDeadlock.
// Without kills, one consumer also sees each producer's items in order (a
// getter killed after an item was handed to it gives the item back to the
// front of the queue, after younger items may have been taken: FIFO holds
// for the waiters, not across such a kill).
func TestModelQueue(t *testing.T) {
	for _, seed := range seeds() {
		for _, bound := range []int{0, 3} {
			for _, kills := range []int{0, 3} {
				t.Run(fmt.Sprintf("seed=%d/bound=%d/kills=%d", seed, bound, kills), func(t *testing.T) {
					modelQueue(t, seed, bound, kills)
				})
			}
		}
	}
}

func modelQueue(t *testing.T, seed uint64, bound, nkills int) {
	ths := testutil.NewHubs(t, 2)
	hs := []*hub.Hub{ths[0].Hub, ths[1].Hub}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b9))
	q := green.NewQueue[item](bound)
	q.BindHub(hs[r.IntN(2)])

	const producers, perProducer, consumers = 4, 30, 3
	var mu sync.Mutex
	put := map[item]bool{}   // put returned nil
	maybe := map[item]bool{} // put interrupted or timed out: may be in
	got := map[item]int{}
	var order []item // as seen by consumer 0
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		t.Errorf(format, args...)
	}
	var waits, kills []func()
	for p := range producers {
		pr := rand.New(rand.NewPCG(seed, uint64(p)))
		w, k := party(r, hs, func() {
			for s := range perProducer {
				it := item{p, s}
				mu.Lock()
				maybe[it] = true
				mu.Unlock()
				err := q.PutTimeout(it, time.Duration(pr.IntN(3))*time.Millisecond)
				switch {
				case err == nil:
					mu.Lock()
					put[it] = true
					mu.Unlock()
				case errors.Is(err, green.ErrDeadlock):
					fail("put: false deadlock")
				case !errors.Is(err, green.ErrQueueFull):
					fail("put: %v", err)
				}
				if pr.IntN(4) == 0 {
					green.Yield()
				}
			}
		})
		waits, kills = append(waits, w), append(kills, k)
	}
	var stop atomic.Bool
	for c := range consumers {
		cr := rand.New(rand.NewPCG(seed, uint64(100+c)))
		w, k := party(r, hs, func() {
			for !stop.Load() {
				it, err := q.GetTimeout(time.Duration(1+cr.IntN(3)) * time.Millisecond)
				switch {
				case err == nil:
					mu.Lock()
					got[it]++
					if c == 0 {
						order = append(order, it)
					}
					mu.Unlock()
				case errors.Is(err, green.ErrDeadlock):
					fail("get: false deadlock")
				case !errors.Is(err, green.ErrQueueEmpty):
					fail("get: %v", err)
				}
			}
		})
		waits, kills = append(waits, w), append(kills, k)
	}
	// A killer kills a few parties at random moments.
	for range nkills {
		time.Sleep(time.Duration(r.IntN(5)) * time.Millisecond)
		kills[r.IntN(len(kills))]()
	}
	for _, w := range waits[:producers] {
		w()
	}
	time.Sleep(10 * time.Millisecond) // let live consumers take what is left
	stop.Store(true)
	for _, w := range waits[producers:] {
		w()
	}
	for { // what no consumer took is still in the queue
		it, err := q.GetNowait()
		if err != nil {
			break
		}
		got[it]++
	}
	for it := range put {
		if got[it] != 1 {
			t.Errorf("%v was put and came out %d times", it, got[it])
		}
	}
	for it, n := range got {
		if n > 1 || !maybe[it] {
			t.Errorf("%v came out %d times (put attempted: %v)", it, n, maybe[it])
		}
	}
	if nkills > 0 {
		return
	}
	last := map[int]int{}
	for _, it := range order {
		if prev, ok := last[it.producer]; ok && it.seq <= prev {
			t.Errorf("consumer 0 saw producer %d's item %d after %d", it.producer, it.seq, prev)
		}
		last[it.producer] = it.seq
	}
}

// TestModelSemaphore: workers acquire a semaphore of 3 with random
// timeouts, hold it for a moment, and release it; some are killed while
// they wait or hold it (a deferred release gives back only what was
// taken). At no moment do more than 3 hold it, and at the end all 3
// permits are back: none leaked, none created.
func TestModelSemaphore(t *testing.T) {
	for _, seed := range seeds() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			ths := testutil.NewHubs(t, 2)
			hs := []*hub.Hub{ths[0].Hub, ths[1].Hub}
			r := rand.New(rand.NewPCG(seed, 7))
			const permits = 3
			s := green.NewBoundedSemaphore(permits)
			s.BindHub(hs[r.IntN(2)])
			var holders, peak atomic.Int32
			var errs atomic.Int32
			var waits, kills []func()
			for w := range 12 {
				wr := rand.New(rand.NewPCG(seed, uint64(w)))
				wait, kill := party(r, hs, func() {
					for range 15 {
						if err := s.AcquireTimeout(time.Duration(wr.IntN(3)) * time.Millisecond); err != nil {
							if !errors.Is(err, green.ErrTimeout) {
								errs.Add(1)
							}
							continue
						}
						func() {
							defer func() {
								holders.Add(-1)
								if err := s.Release(); err != nil {
									errs.Add(1)
								}
							}()
							n := holders.Add(1)
							for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
							}
							if wr.IntN(2) == 0 {
								green.Sleep(time.Duration(wr.IntN(500)) * time.Microsecond)
							} else {
								green.Yield()
							}
						}()
					}
				})
				waits, kills = append(waits, wait), append(kills, kill)
			}
			for range 4 {
				time.Sleep(time.Duration(r.IntN(5)) * time.Millisecond)
				kills[r.IntN(len(kills))]()
			}
			for _, w := range waits {
				w()
			}
			if p := peak.Load(); p > permits {
				t.Errorf("%d holders at once", p)
			}
			if v := s.Value(); v != permits {
				t.Errorf("%d permits at the end, want %d", v, permits)
			}
			if n := errs.Load(); n != 0 {
				t.Errorf("%d unexpected errors (deadlock, over-release)", n)
			}
		})
	}
}
