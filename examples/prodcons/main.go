// Command prodcons is the producer/consumer pattern over a green.Queue,
// as with gevent.queue.Queue: a bounded queue makes the producer wait for
// the workers, task accounting (TaskDone, Join) tells when every job is
// finished, and no lock protects the shared totals because every greenlet
// runs on the same hub.
//
//	go run ./examples/prodcons
package main

import (
	"fmt"
	"time"

	"github.com/greenrt/green/green"
)

// job is a unit of work: here, a number to square after some "work".
type job struct {
	id   int
	cost time.Duration
}

func main() {
	jobs := green.NewQueue[job](3) // at most 3 jobs waiting: Put parks when full
	done := map[string]int{}       // jobs per worker, shared without a lock
	total := 0

	worker := func(name string) {
		for j := range jobs.All() { // Get in a loop; ends after Shutdown once drained
			green.Sleep(j.cost) // the work: parks this worker only
			done[name]++
			total += j.id * j.id
			fmt.Printf("%-8s finished job %2d (%v)\n", name, j.id, j.cost)
			jobs.TaskDone()
		}
	}
	producer := func() {
		for i := 1; i <= 10; i++ {
			// Put parks the producer while 3 jobs are already waiting.
			jobs.Put(job{id: i, cost: time.Duration(10+(i*37)%50) * time.Millisecond})
			fmt.Printf("producer queued job %2d (%d waiting)\n", i, jobs.Len())
		}
	}

	// The body runs in the main greenlet, so the coordination is part of
	// the hub's own work: between the last TaskDone and Shutdown the
	// workers are parked with nothing on the hub that could wake them,
	// and a plain goroutine waiting on the hub then would see a deadlock
	// (gevent's LoopExit).
	green.Main(func() {
		start := time.Now()
		workers := []*green.Greenlet{
			green.Spawn(worker, "worker-a"),
			green.Spawn(worker, "worker-b"),
			green.Spawn(worker, "worker-c"),
		}
		green.Spawn(producer).Join()
		jobs.Join()     // every job queued so far has been marked done
		jobs.Shutdown() // workers leave their loops
		green.JoinAll(workers...)

		fmt.Printf("all jobs done in %v: %v, sum of squares %d\n", time.Since(start).Round(time.Millisecond), done, total)
	})
}
