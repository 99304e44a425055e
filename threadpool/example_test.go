package threadpool_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/threadpool"
)

// A greenlet offloads calls that would block its hub: a time.Sleep, a
// name lookup. Other greenlets keep running meanwhile.
func ExampleCall() {
	ticks := 0
	g := green.Spawn(func() {
		ticker := green.Spawn(func() {
			for range 5 {
				green.Sleep(time.Millisecond)
				ticks++
			}
		})
		threadpool.Do(func() { time.Sleep(20 * time.Millisecond) }) // blocks a goroutine, not the hub
		n, err := threadpool.Call(func() (int, error) { return 6 * 7, nil })
		fmt.Println(n, err)
		addrs, err := threadpool.CallContext(context.Background(), func(ctx context.Context) ([]string, error) {
			return net.DefaultResolver.LookupHost(ctx, "localhost")
		})
		fmt.Println(len(addrs) > 0, err)
		ticker.Join()
	})
	g.Join()
	fmt.Println("ticks while sleeping:", ticks)
	// Output:
	// 42 <nil>
	// true <nil>
	// ticks while sleeping: 5
}
