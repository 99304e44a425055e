//go:build unix

package netwrap

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// TestIOLockModel: greenlets of two hubs and plain goroutines take one
// ioLock many times at once, holding it across parks (sleeps), while some
// greenlets are killed mid-wait. Checked: never two holders, every lock
// taken is released, no waiter is lost (everybody finishes), and close
// fails the queued waiters and later lockers with net.ErrClosed.
func TestIOLockModel(t *testing.T) {
	checkLeaks(t)
	hs := []*hub.Hub{newHub(t), newHub(t)}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 12))
	var l ioLock
	var holders, taken, released atomic.Int64
	hold := func(sleep func(time.Duration), d time.Duration) error {
		if err := l.lock(); err != nil {
			return err
		}
		taken.Add(1)
		defer func() { // a kill unwinds the sleep: release all the same
			holders.Add(-1)
			released.Add(1)
			l.unlock()
		}()
		if holders.Add(1) != 1 {
			t.Error("two holders at once")
		}
		sleep(d)
		return nil
	}
	const rounds = 30
	var gls []*green.Greenlet
	var wg sync.WaitGroup
	for i := range 40 {
		d := time.Duration(rng.IntN(200)) * time.Microsecond
		switch i % 4 {
		case 0, 1: // greenlets of either hub
			h := hs[i%2]
			gls = append(gls, green.SpawnOn(h, func() error {
				for range rounds {
					if err := hold(green.Sleep, d); err != nil {
						return err
					}
				}
				return nil
			}))
		case 2: // plain goroutines
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					if err := hold(time.Sleep, d); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		case 3: // greenlets killed at a random point
			h := hs[i%2]
			gl := green.SpawnOn(h, func() {
				for {
					hold(green.Sleep, d)
				}
			})
			kill := time.Duration(rng.IntN(20)) * time.Millisecond
			time.AfterFunc(kill, func() { gl.KillWith(green.KillOptions{NoWait: true}) })
			gls = append(gls, gl)
		}
	}
	for _, gl := range gls {
		if err := gl.Join(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if n := holders.Load(); n != 0 {
		t.Fatalf("%d holders left", n)
	}
	if taken.Load() != released.Load() || taken.Load() < 30*rounds {
		t.Fatalf("taken %d, released %d", taken.Load(), released.Load())
	}
	if !l.tryLock() {
		t.Fatal("the lock is still held after every holder ended")
	}
	// Close with waiters queued behind a holder.
	var failed atomic.Int32
	var ws []*green.Greenlet
	for i := range 4 {
		ws = append(ws, green.SpawnOn(hs[i%2], func() {
			if errors.Is(l.lock(), errClosed) {
				failed.Add(1)
			}
		}))
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if errors.Is(l.lock(), errClosed) {
			failed.Add(1)
		}
	}()
	time.Sleep(10 * time.Millisecond)
	l.close()
	green.JoinAll(ws...)
	wg.Wait()
	if n := failed.Load(); n != 5 {
		t.Fatalf("%d of 5 queued lockers failed with net.ErrClosed at close", n)
	}
	l.unlock()
	if err := l.lock(); !errors.Is(err, errClosed) {
		t.Fatalf("lock after close: %v", err)
	}
}
