package green

import (
	"testing"
)

// TestMillionParked parks 1,000,000 greenlets on one hub, checks that they
// all wake and finish, and logs the memory per greenlet. It needs about
// 3.5 GB and some seconds, so it is skipped with -short and under the race
// detector (which multiplies memory per goroutine).
func TestMillionParked(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("needs about 3.5 GB: skipped with -short and with -race")
	}
	const n = 1_000_000
	perGreenlet := parkMany(t, n)
	t.Logf("%d parked greenlets: %.0f bytes each", n, perGreenlet)
	if perGreenlet > 4096 {
		t.Errorf("%.0f bytes per parked greenlet", perGreenlet)
	}
}
