//go:build unix

package netwrap

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

func TestListenerCloseAndDeadline(t *testing.T) {
	checkLeaks(t)
	for _, k := range kinds() {
		t.Run(k.name, func(t *testing.T) {
			h := newHub(t)
			l := k.listen(t)
			inGreenlet(t, h, func() error {
				l.SetDeadline(time.Now().Add(2 * time.Millisecond))
				if _, err := l.Accept(); !isTimeout(err) {
					return fmt.Errorf("accept past deadline: %v", err)
				}
				l.SetDeadline(time.Time{})
				acc := green.Spawn(func() error { _, err := l.Accept(); return err })
				green.Sleep(time.Millisecond)
				l.Close()
				err := acc.Join()
				var oe *net.OpError
				if !errors.Is(err, net.ErrClosed) || !errors.As(err, &oe) || oe.Op != "accept" {
					return fmt.Errorf("accept on closed listener: %v", err)
				}
				return nil
			})
		})
	}
}

func TestWrapRejectsNonSockets(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, err := Wrap(a); !errors.Is(err, ErrNotSocket) {
		t.Fatal(err)
	}
	x, y := socketPair(t)
	defer x.Close()
	defer y.Close()
	if w, err := Wrap(x); err != nil || w != x {
		t.Fatal(w, err)
	}
}
