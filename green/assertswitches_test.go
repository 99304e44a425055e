package green_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
)

func TestAssertSwitches(t *testing.T) {
	th := testutil.NewHub(t)
	th.SetMaxBlockingTime(-1) // blocking on purpose below
	green.SpawnOn(th.Hub, func() {
		// Cooperative: sleeps switch.
		if err := green.AssertSwitches(20*time.Millisecond, func() {
			for range 5 {
				green.Sleep(5 * time.Millisecond)
			}
		}); err != nil {
			t.Errorf("cooperative code: %v", err)
		}
		// Blocking: time.Sleep holds the hub.
		err := green.AssertSwitches(20*time.Millisecond, func() {
			green.Yield()
			time.Sleep(60 * time.Millisecond)
			green.Yield()
		})
		var se *green.SwitchError
		if !errors.As(err, &se) || se.Longest < 60*time.Millisecond || se.Switches != 2 {
			t.Errorf("blocking code: %v", err)
		} else if !strings.Contains(se.Where, "TestAssertSwitches") || !strings.Contains(se.Where, "green.Yield") {
			t.Errorf("where the stretch ended: %s", se.Where)
		}
		t.Log(err)
		// Never switching, with no bound.
		err = green.AssertSwitches(0, func() {})
		if !errors.As(err, &se) || se.Switches != 0 {
			t.Errorf("no switch: %v", err)
		}
		if err := green.AssertSwitches(0, green.Yield); err != nil {
			t.Errorf("one switch: %v", err)
		}
		// Nested.
		if err := green.AssertSwitches(time.Second, func() {
			if err := green.AssertSwitches(0, green.Yield); err != nil {
				t.Error(err)
			}
		}); err != nil {
			t.Error(err)
		}
	}).Join()
	if err := green.AssertSwitches(0, func() {}); !errors.Is(err, green.ErrNotGreenlet) {
		t.Errorf("from a plain goroutine: %v", err)
	}
}
