//go:build linux

package greenselect_test

import (
	"fmt"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap/greenselect"
	"golang.org/x/sys/unix"
)

// A greenlet waits on two pipes at once while another greenlet of the hub
// writes into one of them.
func Example() {
	var a, b [2]int
	unix.Pipe2(a[:], unix.O_NONBLOCK|unix.O_CLOEXEC)
	unix.Pipe2(b[:], unix.O_NONBLOCK|unix.O_CLOEXEC)
	defer func() {
		for _, fd := range append(a[:], b[:]...) {
			unix.Close(fd)
		}
	}()
	green.Spawn(func() {
		green.Sleep(10 * time.Millisecond)
		unix.Write(b[1], []byte("b"))
	})
	waiter := green.Spawn(func() (string, error) {
		readable, _, _, err := greenselect.SelectTimeout([]int{a[0], b[0]}, nil, nil, time.Second)
		if err != nil {
			return "", err
		}
		if len(readable) == 1 && readable[0] == b[0] {
			return "pipe b is readable", nil
		}
		return fmt.Sprint("readable: ", readable), nil
	})
	fmt.Println(waiter.Get())
	// Output: pipe b is readable <nil>
}
