//go:build unix

package greensignal_test

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap/greensignal"
)

// A signal handler runs as a greenlet of the hub; here it lets a waiting
// greenlet go on.
func ExampleHandle() {
	var stop green.Event
	h, err := greensignal.Handle(func(sig os.Signal) {
		fmt.Println("got", sig)
		stop.Set()
	}, syscall.SIGUSR1)
	if err != nil {
		panic(err)
	}
	defer h.Stop()
	worker := green.Spawn(func() {
		stop.Wait() // parks until the handler sets the event
		fmt.Println("worker: stopping")
	})
	green.Spawn(func() {
		green.Sleep(10 * time.Millisecond)
		syscall.Kill(os.Getpid(), syscall.SIGUSR1) // as if from outside
	})
	worker.Join()
	// Output:
	// got user defined signal 1
	// worker: stopping
}
