// Command timeout wraps slow calls in a timeout, as gevent's
// "with Timeout(seconds):" does, and shows that the interrupted greenlet
// runs its deferred cleanup.
//
//	go run ./examples/timeout
package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/greenrt/green/green"
)

// slowCall stands for a call that may take long (a remote service, say).
func slowCall(d time.Duration) {
	defer fmt.Println("  slowCall: cleanup ran") // runs even when interrupted
	green.Sleep(d)
	fmt.Println("  slowCall: finished")
}

func attempt(limit, work time.Duration) {
	fmt.Printf("call taking %v with a %v timeout:\n", work, limit)
	// WithTimeout runs the function in the calling greenlet; when the
	// limit passes, the wait inside it (Sleep here, or any I/O through
	// netwrap) is interrupted and the function unwinds.
	err := green.WithTimeout(limit, func() { slowCall(work) })
	switch {
	case err == nil:
		fmt.Println("  result: in time")
	case errors.Is(err, green.ErrTimeout):
		fmt.Println("  result: timed out:", err)
	default:
		fmt.Println("  result: failed:", err)
	}
}

func main() {
	// Timeouts interrupt greenlets, so the work runs in the main greenlet
	// (green.Main returns when its body ends).
	green.Main(func() {
		attempt(200*time.Millisecond, 50*time.Millisecond)
		attempt(50*time.Millisecond, 200*time.Millisecond)

		// The same with a greenlet's own join timeout: stop waiting (and
		// kill it) if it does not finish in time.
		slow := green.Spawn(slowCall, time.Hour)
		if err := slow.JoinTimeout(100 * time.Millisecond); err != nil {
			fmt.Println("join gave up:", err)
			slow.Kill()
		}
		fmt.Println("killed greenlet:", slow.Killed())
	})
}
