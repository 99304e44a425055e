//go:build unix

package netwrap

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

func TestPacketConn(t *testing.T) {
	checkLeaks(t)
	for _, network := range []string{"udp", "unixgram"} {
		t.Run(network, func(t *testing.T) {
			h := newHub(t)
			dir := t.TempDir()
			addr := func(name string) string {
				if network == "udp" {
					return "127.0.0.1:0"
				}
				return filepath.Join(dir, name)
			}
			inGreenlet(t, h, func() error {
				a, err := ListenPacket(network, addr("a"))
				if err != nil {
					return err
				}
				defer a.Close()
				b, err := ListenPacket(network, addr("b"))
				if err != nil {
					return err
				}
				defer b.Close()
				echo := green.Spawn(func() error {
					buf := make([]byte, 100)
					for {
						n, from, err := b.ReadFrom(buf)
						if errors.Is(err, net.ErrClosed) {
							return nil
						}
						if err != nil {
							return err
						}
						if _, err := b.WriteTo(buf[:n], from); err != nil {
							return err
						}
					}
				})
				buf := make([]byte, 100)
				for i := range 20 {
					msg := fmt.Sprintf("p%d", i)
					if _, err := a.WriteTo([]byte(msg), b.LocalAddr()); err != nil {
						return err
					}
					n, from, err := a.ReadFrom(buf)
					if err != nil {
						return err
					}
					if string(buf[:n]) != msg || from.String() != b.LocalAddr().String() {
						return fmt.Errorf("got %q from %v", buf[:n], from)
					}
				}
				// Deadline, then close waking the parked echo.
				a.SetReadDeadline(time.Now().Add(2 * time.Millisecond))
				if _, _, err := a.ReadFrom(buf); !isTimeout(err) {
					return fmt.Errorf("deadline: %v", err)
				}
				green.Sleep(time.Millisecond)
				b.Close()
				return echo.Join()
			})
		})
	}
}
