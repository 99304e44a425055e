//go:build unix

package netwrap

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

// connFD returns the descriptor of c.
func connFD(t testing.TB, c *Conn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	fd := -1
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// TestWaitReadOnBoundConn: WaitRead and WaitWrite on the descriptor of a
// Conn that its hub has registered leave the Conn's registration alone
// (they used to replace it: the Conn's next Read failed with "hub:
// stopped"), in the greenlet that uses the Conn and in another one.
func TestWaitReadOnBoundConn(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	a, b := socketPair(t)
	defer a.Close()
	defer b.Close()
	fd := connFD(t, a)
	inGreenlet(t, h, func() error {
		b.Write([]byte("1"))
		if _, err := a.Read(make([]byte, 1)); err != nil { // binds a to h
			return err
		}
		if err := WaitRead(fd, time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("WaitRead with nothing to read: %v", err)
		}
		if err := WaitWrite(fd, time.Second); err != nil {
			return fmt.Errorf("WaitWrite: %v", err)
		}
		w := green.Spawn(func() error { return WaitRead(fd, -1) })
		green.Sleep(time.Millisecond)
		b.Write([]byte("2"))
		if err := w.Join(); err != nil {
			return fmt.Errorf("WaitRead woken by data: %v", err)
		}
		buf := make([]byte, 1)
		if _, err := a.Read(buf); err != nil || buf[0] != '2' {
			return fmt.Errorf("Conn.Read after WaitRead on its descriptor: %q, %v", buf, err)
		}
		// The Conn still parks and wakes through its own registration.
		r := green.Spawn(func() error { _, err := a.Read(buf); return err })
		green.Sleep(time.Millisecond)
		b.Write([]byte("3"))
		if err := r.Join(); err != nil || buf[0] != '3' {
			return fmt.Errorf("parked Conn.Read: %q, %v", buf, err)
		}
		return nil
	})
}
