package testutil_test

import (
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
)

// TestGapTickerSeesABlockedHub checks the ticker itself: a greenlet that
// calls time.Sleep blocks its hub, and the ticker reports a gap of about
// that long; one that calls green.Sleep does not.
func TestGapTickerSeesABlockedHub(t *testing.T) {
	h := testutil.NewHub(t)
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	if err := green.SpawnOn(h.Hub, func() { time.Sleep(150 * time.Millisecond) }).Join(); err != nil {
		t.Fatal(err)
	}
	if gap := gt.Max(); gap < 100*time.Millisecond {
		t.Errorf("time.Sleep in a greenlet: largest gap %v, want about 150ms", gap)
	}
	gt.Reset()
	if err := green.SpawnOn(h.Hub, func() { green.Sleep(150 * time.Millisecond) }).Join(); err != nil {
		t.Fatal(err)
	}
	if gap := gt.Stop(); gap >= 100*time.Millisecond {
		t.Errorf("green.Sleep: largest gap %v; the hub should have kept ticking", gap)
	}
}
