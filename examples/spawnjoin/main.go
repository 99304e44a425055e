// Command spawnjoin is gevent's first lesson: spawn a few greenlets that
// sleep, join them all, and see that the sleeps overlapped.
//
//	go run ./examples/spawnjoin
//
// The gevent original:
//
//	def task(n): gevent.sleep(random.random()); print('task', n, 'done')
//	gevent.joinall([gevent.spawn(task, i) for i in range(5)])
package main

import (
	"fmt"
	"time"

	"github.com/greenrt/green/green"
)

// task sleeps for d, then reports. green.Sleep parks only this greenlet:
// the hub runs the others meanwhile.
func task(n int, d time.Duration) int {
	green.Sleep(d)
	fmt.Printf("task %d done after %v\n", n, d)
	return n * n
}

func main() {
	// The body runs in the main greenlet (gevent's module code), on the
	// hub of the greenlets it spawns.
	green.Main(func() {
		start := time.Now()
		var gs []*green.Greenlet
		for i := range 5 {
			// Delays 500, 400, ..., 100 ms: the tasks finish in reverse order.
			d := time.Duration(5-i) * 100 * time.Millisecond
			gs = append(gs, green.Spawn(task, i, d))
		}
		green.JoinAll(gs...) // parks the main greenlet until all of them are done

		for i, g := range gs {
			fmt.Printf("greenlet %d returned %v\n", i, g.Value())
		}
		// 1.5 s of sleeping in total, about 0.5 s of wall time.
		fmt.Printf("all done in %v\n", time.Since(start).Round(10*time.Millisecond))
	})
}
