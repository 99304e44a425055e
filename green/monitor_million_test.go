package green

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// TestBlockingReportAmongMillion: with many parked greenlets (100,000; a
// million with GREEN_MILLION=1) on one hub, a greenlet that blocks, on
// another hub or among them, is still reported at once, with its stack,
// without stopping the process (the stack is read directly, not from a
// dump of every goroutine, which would take 10 µs per goroutine), and
// run-info with a limit stays quick. It logs the costs. Long mode only,
// not under the race detector (memory).
func TestBlockingReportAmongMillion(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("needs up to 3.5 GB: skipped with -short and with -race")
	}
	n := 100_000
	if os.Getenv("GREEN_MILLION") == "1" {
		n = 1_000_000
	}
	big, err := hub.New(hub.Config{MaxIdleWorkers: -1})
	if err != nil {
		t.Skip(err)
	}
	big.Start()
	defer big.Stop()
	ready := make(chan struct{})
	var gs []*Greenlet
	var wake Event
	wake.BindHub(big)
	SpawnOn(big, func() {
		gs = make([]*Greenlet, n)
		// The oldest greenlet, whose worker is the last of a million in
		// the list the monitor searches, will block.
		gs[0] = Spawn(func() {
			wake.Wait()
			time.Sleep(400 * time.Millisecond)
		}).SetName("blocker 2")
		for i := 1; i < n; i++ {
			gs[i] = Spawn(sleepHour)
		}
		Yield()
		close(ready)
	})
	<-ready
	defer KillAll(gs...)

	var mu sync.Mutex
	var got []*hub.BlockingError
	var at []time.Time
	handler := func(err error) {
		var be *hub.BlockingError
		if errors.As(err, &be) && !be.Ended {
			mu.Lock()
			got = append(got, be)
			at = append(at, time.Now())
			mu.Unlock()
		}
	}
	small, err := hub.New(hub.Config{ErrorHandler: handler})
	if err != nil {
		t.Fatal(err)
	}
	small.Start()
	defer small.Stop()
	start := time.Now()
	SpawnOn(small, func() { time.Sleep(400 * time.Millisecond) }).SetName("blocker").Join()
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.Contains(got[0].Stack, "time.Sleep") || got[0].Name != "blocker" {
		t.Fatalf("reports: %v", got)
	}
	// Found within a threshold and a sampling period of its start, plus
	// what taking the report cost.
	t.Logf("%d parked greenlets on another hub: the stall was reported %v after it began (threshold %v)",
		n, at[0].Sub(start).Round(time.Millisecond), got[0].Threshold)
	if d := at[0].Sub(start); d > got[0].Threshold*2 {
		t.Errorf("reported after %v", d)
	}
	// The same with the blocker among the million: the monitor finds its
	// worker in a list of a million.
	big.SetErrorHandler(handler)
	mu.Unlock()
	start = time.Now()
	wake.Set()
	gs[0].Join()
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	if len(got) != 2 || got[1].Name != "blocker 2" || !strings.Contains(got[1].Stack, "time.Sleep") {
		t.Fatalf("reports: %v", got)
	}
	t.Logf("blocker among %d parked greenlets of its hub, the oldest: reported %v after it began", n, at[1].Sub(start).Round(time.Millisecond))

	t0 := time.Now()
	var out string
	SpawnOn(small, func() { out = FormatRunInfoWith(RunInfoOptions{Limit: 10}) }).Join()
	t.Logf("run-info limited to 10 greenlets per hub with %d greenlets: %v, %d bytes", n, time.Since(t0).Round(time.Millisecond), len(out))
}
