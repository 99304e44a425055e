package green_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// Main runs a ported gevent program's module code in a greenlet: the
// greenlets it spawns share its hub, and timeouts work in it.
func ExampleMain() {
	err := green.Main(func() {
		g := green.Spawn(func() { green.Sleep(time.Hour) })
		err := green.WithTimeout(10*time.Millisecond, func() { g.Join() })
		fmt.Println("join timed out:", errors.Is(err, green.ErrTimeout))
		g.Kill()
	})
	fmt.Println("main:", err)
	// Output:
	// join timed out: true
	// main: <nil>
}

// Go spawns a function with a typed result: no reflection, no boxing.
func ExampleGo() {
	green.Main(func() {
		square := func(n int) *green.Task[int] {
			return green.Go(func() (int, error) { green.Sleep(time.Millisecond); return n * n, nil })
		}
		a, b := square(3), square(4)
		x, _ := a.Get()
		y, _ := b.Get()
		fmt.Println(x + y)
	})
	// Output: 25
}

// A greenlet's context ends when the greenlet is killed, so a library
// call given green.Context() stops too; SpawnContext kills a greenlet when
// a context ends.
func ExampleContext() {
	green.Main(func() {
		g := green.Spawn(func() error {
			ctx := green.Context()
			var e green.Event // never set
			return e.WaitContext(ctx)
		})
		green.Sleep(time.Millisecond)
		g.KillWith(green.KillOptions{Err: errors.New("shutting down")})
		fmt.Println("context cause:", context.Cause(g.Context()))

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		w := green.SpawnContext(ctx, func() { green.Sleep(time.Hour) })
		fmt.Println("SpawnContext:", w.Join())

		q := green.NewQueue[int](0)
		ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel2()
		_, err := q.GetContext(ctx2)
		fmt.Println("GetContext:", err)
	})
	// Output:
	// context cause: shutting down
	// SpawnContext: context deadline exceeded
	// GetContext: context deadline exceeded
}

// A recover helper of your own must let kills and timeouts through:
// Repanic re-raises them, and a recovered kill tells what it was.
func ExampleRepanic() {
	safely := func(fn func()) {
		defer func() {
			r := recover()
			green.Repanic(r) // a kill or a Timeout goes on unwinding
			if r != nil {
				fmt.Println("recovered:", r)
			}
		}()
		fn()
	}
	green.Main(func() {
		safely(func() { panic("my bug") })
		err := green.WithTimeout(5*time.Millisecond, func() {
			safely(func() { green.Sleep(time.Hour) })
		})
		fmt.Println("timed out:", errors.Is(err, green.ErrTimeout))

		g := green.Spawn(func() {
			defer func() {
				r := recover()
				fmt.Println("killed with:", r, errors.Is(r.(error), green.ErrGreenletExit))
				green.Repanic(r)
			}()
			green.Sleep(time.Hour)
		})
		green.Sleep(time.Millisecond)
		fmt.Println("kill:", g.Kill(), g.Killed())
	})
	// Output:
	// recovered: my bug
	// timed out: true
	// killed with: green: greenlet killed (GreenletExit) true
	// kill: <nil> true
}

// JoinHub at the end of a main greenlet waits for everything it spawned
// (gevent's wait() with no arguments). (The example uses a hub of its own,
// which other examples do not share.)
func ExampleJoinHub() {
	h, _ := hub.New(hub.Config{})
	h.Start()
	defer h.Stop()
	green.SpawnOn(h, func() {
		for i := range 3 {
			green.Spawn(func() {
				green.Sleep(time.Duration(3-i) * time.Millisecond)
				fmt.Println("done", i)
			})
		}
		green.JoinHub(nil)
		fmt.Println("all done")
	}).Join()
	// Output:
	// done 2
	// done 1
	// done 0
	// all done
}

// A Timeout with an error of its own (gevent's Timeout(seconds,
// exception)), and WithTimeoutValue (with_timeout's timeout_value).
func ExampleNewTimeoutErr() {
	errSlow := errors.New("backend too slow")
	green.Main(func() {
		err := green.NewTimeoutErr(5*time.Millisecond, errSlow).Do(func() { green.Sleep(time.Hour) })
		fmt.Println(err)
		v, err := green.WithTimeoutValue(5*time.Millisecond, "cached", func() (string, error) {
			green.Sleep(time.Hour)
			return "fresh", nil
		})
		fmt.Println(v, err)
	})
	// Output:
	// backend too slow
	// cached <nil>
}
