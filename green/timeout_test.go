package green

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestWithTimeout(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		unwound := false
		err := WithTimeout(time.Millisecond, func() {
			defer func() { unwound = true }()
			Sleep(time.Hour)
			t.Error("sleep outlived its timeout")
		})
		var to *Timeout
		if !errors.Is(err, ErrTimeout) || !errors.As(err, &to) || !unwound {
			t.Fatalf("err = %v, unwound = %v", err, unwound)
		}
		if !errors.Is(err, ErrTimeout) || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Error("error identity")
		}
		if err := WithTimeout(time.Hour, func() { Sleep(time.Millisecond) }); err != nil {
			t.Fatalf("no expiry: %v", err)
		}
		// The cancelled timeout does not fire later.
		Sleep(2 * time.Millisecond)
	})
}

func TestNestedTimeouts(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		inner := NewTimeout(time.Millisecond)
		outerErr := WithTimeout(time.Hour, func() {
			if err := inner.Do(func() { Sleep(time.Hour) }); err != inner {
				t.Errorf("inner: %v", err)
			}
			Sleep(time.Millisecond) // the outer one still runs
		})
		if outerErr != nil {
			t.Errorf("outer: %v", outerErr)
		}

		outer := NewTimeout(time.Millisecond)
		reached := false
		err := outer.Do(func() {
			err := WithTimeout(time.Hour, func() { Sleep(time.Hour) })
			reached = true
			t.Errorf("inner returned %v instead of letting the outer timeout through", err)
		})
		if err != outer || reached {
			t.Errorf("outer expiry reported as %v", err)
		}
	})
}

func TestTimeoutObject(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		to, err := StartTimeout(time.Hour)
		if err != nil || !to.Pending() {
			t.Fatal(err)
		}
		to.Cancel()
		to.Cancel()
		if to.Pending() {
			t.Error("pending after Cancel")
		}
		// Restartable.
		to = NewTimeout(time.Millisecond)
		for i := 0; i < 2; i++ {
			if err := to.Do(func() { Sleep(time.Hour) }); err != to || !to.Expired() {
				t.Fatalf("round %d: %v", i, err)
			}
		}
		// A timeout that expires while the greenlet runs without parking
		// is dropped by Cancel, not raised later.
		to = NewTimeout(0)
		to.Start()
		busy := time.Now()
		for time.Since(busy) < time.Millisecond {
		}
		to.Cancel()
		Sleep(time.Millisecond)
	})
	// An uncaught timeout kills its greenlet with the *Timeout.
	var to *Timeout
	g := SpawnOn(th.Hub, func() {
		to, _ = StartTimeout(time.Millisecond)
		Sleep(time.Hour)
	})
	if err := g.Join(); err == nil || err != error(to) {
		t.Fatalf("uncaught timeout: %v", err)
	}
}

func TestKillOutranksTimeout(t *testing.T) {
	th := newTestHub(t)
	g := SpawnOn(th.Hub, func() error {
		return WithTimeout(time.Hour, func() { Sleep(time.Hour) })
	})
	th.run(t, func() {
		Yield()
		g.KillWith(KillOptions{Err: errBoom})
	})
	if err := g.Join(); !errors.Is(err, errBoom) {
		t.Fatalf("err = %v", err)
	}
}

// Regression: an outer timeout expiring in the same loop turn as an inner
// one must not be lost.
func TestNestedTimeoutsExpiringTogether(t *testing.T) {
	th := newTestHub(t)
	var outerErr error
	ranPast := false
	th.run(t, func() {
		outerErr = WithTimeout(time.Millisecond, func() {
			WithTimeout(2*time.Millisecond, func() {
				th.Hub.AfterFunc(0, func() { time.Sleep(10 * time.Millisecond) })
				Sleep(time.Hour)
			})
			Sleep(time.Hour)
			ranPast = true
		})
	})
	if outerErr == nil || ranPast {
		t.Fatalf("outer timeout lost: err=%v ranPast=%v", outerErr, ranPast)
	}
}
