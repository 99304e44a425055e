//go:build linux

package green

import (
	"syscall"
	"testing"
)

// A pending FD watch (a callback waiting for readiness, no greenlet) keeps
// JoinHub waiting until it fired.
func TestJoinHubWaitsForFDWatch(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	th := newTestHub(t)
	th.run(t, func() {
		h := th.Hub
		d, err := h.Register(p[0])
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		fired := false
		if err := d.OnRead(func(err error) { fired = err == nil }); err != nil {
			t.Fatal(err)
		}
		// The write comes from a plain goroutine started once the
		// caller is parked in JoinHub.
		h.Callback(func(any) { go syscall.Write(p[1], []byte("x")) }, nil)
		if err := JoinHub(nil); err != nil || !fired {
			t.Errorf("JoinHub = %v, watch fired %v", err, fired)
		}
	})
}
