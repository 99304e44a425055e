//go:build unix

package netwrap

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
)

// TestResolveWhileAnotherHubIsWedged: closing conns of a wedged hub from
// greenlets of a healthy hub parks those greenlets (the close is posted to
// the wedged hub), so the healthy hub keeps running, and its name
// resolution (a Dial to "localhost:port", which resolves on the thread
// pool) keeps working meanwhile.
func TestResolveWhileAnotherHubIsWedged(t *testing.T) {
	checkLeaks(t)
	wedged, healthy := newHub(t), newHub(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	// Conns bound to the wedged hub, each with a parked reader.
	const n = 8
	var conns []*Conn
	var readers []*green.Greenlet
	for range n {
		a, b := socketPair(t)
		defer b.Close()
		conns = append(conns, a)
		readers = append(readers, green.SpawnOn(wedged, func() error {
			_, err := a.Read(make([]byte, 1))
			return err
		}))
	}
	green.SpawnOn(wedged, func() {}).Join() // the readers have parked

	// Wedge it: a greenlet blocks its thread in time.Sleep.
	const wedge = time.Second
	var asleep, awake atomic.Bool
	sleeper := green.SpawnOn(wedged, func() {
		asleep.Store(true)
		time.Sleep(wedge) // blocks the whole hub, on purpose
		awake.Store(true)
	})
	for !asleep.Load() {
		time.Sleep(time.Millisecond)
	}

	gt := testutil.StartGapTicker(healthy, 0)
	var closers []*green.Greenlet
	for _, c := range conns {
		closers = append(closers, green.SpawnOn(healthy, c.Close))
	}
	dial := green.SpawnOn(healthy, func() error {
		for i := range 5 {
			c, err := Dial("tcp", "localhost:"+port)
			if err != nil {
				return fmt.Errorf("dial %d: %v", i, err)
			}
			c.Close()
		}
		if awake.Load() {
			return errors.New("the dials only finished once the other hub woke up")
		}
		return nil
	})
	if err := dial.Join(); err != nil {
		t.Fatal(err)
	}
	if gap := gt.Stop(); gap > 3*wedge/4 {
		t.Errorf("the healthy hub stalled for %v while the other was wedged for %v", gap, wedge)
	}
	if err := sleeper.Join(); err != nil {
		t.Fatal(err)
	}
	for _, cl := range closers {
		if err := cl.Join(); err != nil {
			t.Fatalf("close from the healthy hub: %v", err)
		}
	}
	for _, r := range readers {
		if err := r.Join(); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("reader of a conn closed from another hub: %v", err)
		}
	}
}
