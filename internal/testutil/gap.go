package testutil

import (
	"sync"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// GapTicker is a greenlet that wakes every Period on a hub and records the
// largest delay between two of its turns beyond that period: how long the
// hub went without running its other greenlets. It is the check for "this
// code never blocks the hub" (a greenlet that waits on a Go channel, a
// sync.Mutex or time.Sleep makes the gap as long as the wait).
//
// Compare gaps with the duration of the blocking step under test (a gap
// of the order of the 100 ms sleep a server handler makes means the hub
// blocked), never with a tight absolute bound: these machines are shared
// and a loaded one delays every turn.
type GapTicker struct {
	Period time.Duration

	mu      sync.Mutex
	max     time.Duration
	ticks   int
	gl      *green.Greenlet
	started green.Event
	stopCh  chan struct{}
}

// StartGapTicker starts a ticker greenlet on h with the given period (zero:
// 1 ms) and returns once it has made its first turn, so that everything
// the caller does afterwards is measured. Stop it with Stop. Call it from
// a plain goroutine or a greenlet (of any hub).
func StartGapTicker(h *hub.Hub, period time.Duration) *GapTicker {
	if period <= 0 {
		period = time.Millisecond
	}
	gt := &GapTicker{Period: period, stopCh: make(chan struct{})}
	gt.gl = green.NewOn(h, gt.run).SetName("gap-ticker")
	gt.gl.Start()
	gt.started.BindHub(h)
	gt.started.Wait()
	return gt
}

func (gt *GapTicker) run() {
	last := time.Now()
	gt.started.Set()
	for {
		select {
		case <-gt.stopCh:
			return
		default:
		}
		green.Sleep(gt.Period)
		now := time.Now()
		gap := now.Sub(last) - gt.Period
		last = now
		gt.mu.Lock()
		gt.ticks++
		if gap > gt.max {
			gt.max = gap
		}
		gt.mu.Unlock()
	}
}

// Max returns the largest gap seen so far, after letting the ticker take
// two more turns so that a block that has just ended is counted.
func (gt *GapTicker) Max() time.Duration {
	gt.settle()
	return gt.max0()
}

func (gt *GapTicker) max0() time.Duration {
	gt.mu.Lock()
	defer gt.mu.Unlock()
	return gt.max
}

// Ticks returns the number of turns the ticker has made.
func (gt *GapTicker) Ticks() int {
	gt.mu.Lock()
	defer gt.mu.Unlock()
	return gt.ticks
}

// settle waits (parking a greenlet, sleeping a goroutine) until the ticker
// has made two more turns.
func (gt *GapTicker) settle() {
	t0 := gt.Ticks()
	for i := 0; i < 10000 && gt.Ticks() < t0+2 && !gt.gl.Dead(); i++ {
		green.Sleep(gt.Period)
	}
}

// Reset forgets the gaps seen so far (the next gap is measured from the
// ticker's next turn).
func (gt *GapTicker) Reset() {
	gt.settle()
	gt.mu.Lock()
	gt.max = 0
	gt.mu.Unlock()
}

// Stop ends the ticker and returns the largest gap (settled as by Max). Safe from any
// goroutine; it waits for the ticker greenlet to end.
func (gt *GapTicker) Stop() time.Duration {
	gt.settle()
	select {
	case <-gt.stopCh:
	default:
		close(gt.stopCh)
	}
	gt.gl.Join()
	return gt.max0()
}
