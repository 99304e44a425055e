//go:build unix

package greenselect_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenselect"
	"golang.org/x/sys/unix"
)

// A Selector over two pipes: Select parks until a writer greenlet writes
// (the hub keeps ticking), reports the one ready with its key's data, and
// keeps reporting it (level-triggered) until it is drained.
func TestSelectorParks(t *testing.T) {
	h := testutil.NewHub(t)
	r1, _ := pipe(t)
	r2, w2 := pipe(t)
	sel, err := greenselect.NewSelector()
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	if _, err := sel.Register(r1, greenselect.EventRead, "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := sel.Register(r2, greenselect.EventRead, "two"); err != nil {
		t.Fatal(err)
	}
	const pause = 200 * time.Millisecond
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	green.SpawnOn(h.Hub, func() { green.Sleep(pause); unix.Write(w2, []byte("ab")) })
	run(t, h.Hub, func() error {
		for range 2 {
			ready, err := sel.Select()
			if err != nil {
				return err
			}
			if len(ready) != 1 || ready[0].Key.Data != "two" || ready[0].Events != greenselect.EventRead {
				return fmt.Errorf("ready %+v", ready)
			}
		}
		var buf [2]byte
		unix.Read(r2, buf[:])
		ready, err := sel.SelectTimeout(0)
		if len(ready) != 0 || err != nil {
			return fmt.Errorf("after draining: %+v, %v", ready, err)
		}
		return nil
	})
	if gap := gt.Stop(); gap > pause*3/4 {
		t.Errorf("largest hub gap %v while a greenlet selected for %v", gap, pause)
	}
}

// Register, Modify, Unregister and Key with their errors; a regular file
// cannot be registered (EPERM, as with epoll).
func TestSelectorKeys(t *testing.T) {
	r, w := pipe(t)
	sel, err := greenselect.NewSelector()
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	if _, err := sel.Register(r, 0, nil); !errors.Is(err, greenselect.ErrBadEvents) {
		t.Errorf("no events: %v", err)
	}
	if _, err := sel.Register(r, 4, nil); !errors.Is(err, greenselect.ErrBadEvents) {
		t.Errorf("unknown events: %v", err)
	}
	if _, err := sel.Register(-1, greenselect.EventRead, nil); !errors.Is(err, greenselect.ErrBadEvents) {
		t.Errorf("negative fd: %v", err)
	}
	if _, err := sel.Register(1<<30, greenselect.EventRead, nil); !errors.Is(err, unix.EBADF) {
		t.Errorf("closed fd: %v", err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := sel.Register(int(f.Fd()), greenselect.EventRead, nil); !errors.Is(err, unix.EPERM) {
		t.Errorf("regular file: %v", err)
	}
	k, err := sel.Register(w, greenselect.EventRead, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sel.Register(w, greenselect.EventWrite, nil); !errors.Is(err, greenselect.ErrRegistered) {
		t.Errorf("registered twice: %v", err)
	}
	if ready, _ := sel.SelectTimeout(0); len(ready) != 0 {
		t.Errorf("a write end watched for reading is ready: %+v", ready)
	}
	k2, err := sel.Modify(w, greenselect.EventWrite, 2)
	if err != nil || k2 == k || k2.Data != 2 {
		t.Fatalf("modify: %+v, %v", k2, err)
	}
	if got, ok := sel.Key(w); !ok || got != k2 || sel.Len() != 1 {
		t.Errorf("Key: %+v %v, Len %d", got, ok, sel.Len())
	}
	if ready, _ := sel.SelectTimeout(0); len(ready) != 1 || ready[0].Key != k2 || ready[0].Events != greenselect.EventWrite {
		t.Errorf("write end watched for writing: %+v", ready)
	}
	if _, err := sel.Modify(r, greenselect.EventRead, nil); !errors.Is(err, greenselect.ErrNotRegistered) {
		t.Errorf("modify unknown: %v", err)
	}
	if got, err := sel.Unregister(w); got != k2 || err != nil {
		t.Errorf("unregister: %+v, %v", got, err)
	}
	if _, err := sel.Unregister(w); !errors.Is(err, greenselect.ErrNotRegistered) {
		t.Errorf("unregister twice: %v", err)
	}
	if _, err := sel.Select(); !errors.Is(err, greenselect.ErrNoFDs) {
		t.Errorf("select of an empty selector: %v", err)
	}
	if ready, err := sel.SelectTimeout(time.Millisecond); ready != nil || err != nil {
		t.Errorf("timed select of an empty selector: %v, %v", ready, err)
	}
}

// Close wakes a Select parked in a greenlet, and one blocked in a plain
// goroutine, with os.ErrClosed; a second Select at the same time fails
// with ErrConcurrentUse; every call after Close fails with os.ErrClosed.
func TestSelectorCloseAndConcurrentUse(t *testing.T) {
	h := testutil.NewHub(t)
	for _, who := range []string{"greenlet", "goroutine"} {
		t.Run(who, func(t *testing.T) {
			r, _ := pipe(t)
			sel, err := greenselect.NewSelector()
			if err != nil {
				t.Fatal(err)
			}
			sel.Register(r, greenselect.EventRead, nil)
			errc := make(chan error, 1)
			if who == "greenlet" {
				green.SpawnOn(h.Hub, func() { _, err := sel.Select(); errc <- err })
			} else {
				go func() { _, err := sel.Select(); errc <- err }()
			}
			// Wait until it is waiting (its stack is in WaitRead), then
			// a second Select is refused.
			for i := 0; !testutil.StackHas("greenselect.(*Selector).sel", "greenos.(*File).waitReady"); i++ {
				if i == 2000 {
					t.Fatal("the first Select never started waiting")
				}
				time.Sleep(time.Millisecond)
			}
			if _, err := sel.SelectTimeout(0); !errors.Is(err, greenselect.ErrConcurrentUse) {
				t.Fatalf("a second Select: %v, want ErrConcurrentUse", err)
			}
			if err := sel.Close(); err != nil {
				t.Fatal(err)
			}
			if err := <-errc; !errors.Is(err, os.ErrClosed) {
				t.Fatalf("select after Close: %v", err)
			}
			if err := sel.Close(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("second Close: %v", err)
			}
			if _, err := sel.Register(r, greenselect.EventRead, nil); !errors.Is(err, os.ErrClosed) {
				t.Errorf("register after Close: %v", err)
			}
			if _, err := sel.Select(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("select after Close: %v", err)
			}
		})
	}
}

// From a hub callback a Selector may be checked, not waited on; a greenlet
// killed in Select unwinds and leaves the Selector usable.
func TestSelectorCallbackAndKill(t *testing.T) {
	h := testutil.NewHub(t)
	r, w := pipe(t)
	sel, err := greenselect.NewSelector()
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	sel.Register(r, greenselect.EventRead, nil)
	var check, wait error
	h.Call(func() {
		_, check = sel.SelectTimeout(0)
		_, wait = sel.Select()
	})
	if check != nil || !errors.Is(wait, hub.ErrNotCoroutine) {
		t.Fatalf("hub callback: check %v, wait %v", check, wait)
	}
	gl := green.SpawnOn(h.Hub, func() error { _, err := sel.Select(); return err })
	green.SpawnOn(h.Hub, green.Yield).Join()
	if err := gl.Kill(); err != nil || !gl.Killed() {
		t.Fatalf("kill: %v", err)
	}
	unix.Write(w, []byte("x"))
	run(t, h.Hub, func() error {
		ready, err := sel.Select()
		if len(ready) != 1 || err != nil {
			return fmt.Errorf("select after a killed select: %+v, %v", ready, err)
		}
		return nil
	})
}
