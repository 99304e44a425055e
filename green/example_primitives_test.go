package green_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/greenrt/green/green"
)

func ExampleEvent() {
	var ready green.Event
	var gs []*green.Greenlet
	for i := range 3 {
		gs = append(gs, green.Spawn(func() {
			ready.Wait()
			fmt.Println("waiter", i, "woken")
		}))
	}
	gs = append(gs, green.Spawn(func() {
		fmt.Println("setting")
		ready.Set()
	}))
	green.JoinAll(gs...)
	fmt.Println("set:", ready.IsSet())
	// Output:
	// setting
	// waiter 0 woken
	// waiter 1 woken
	// waiter 2 woken
	// set: true
}

func ExampleAsyncResult() {
	var r green.AsyncResult
	g := green.Spawn(func() (any, error) { return 6 * 7, nil })
	g.RawLink(r.SetFrom) // the result receives the greenlet's outcome
	v, err := r.Get()
	fmt.Println(v, err)

	var failed green.AsyncResult
	failed.SetError(errors.New("no luck"))
	_, err = failed.Get()
	fmt.Println(failed.Ready(), failed.Successful(), err)
	// Output:
	// 42 <nil>
	// true false no luck
}

func ExampleQueue() {
	q := green.NewQueue[int](1) // holds one item
	consumer := green.Spawn(func() {
		for v := range q.All() { // until Shutdown
			fmt.Println("got", v)
		}
	})
	producer := green.Spawn(func() {
		for i := 1; i <= 3; i++ {
			q.Put(i) // the third put waits for room
			fmt.Println("put", i)
		}
		q.Shutdown()
	})
	green.JoinAll(consumer, producer)
	_, err := q.GetNowait()
	fmt.Println(errors.Is(err, green.ErrQueueShutDown))
	// Output:
	// put 1
	// put 2
	// got 1
	// got 2
	// got 3
	// put 3
	// true
}

func ExampleLifoQueue() {
	var q green.LifoQueue[string]
	for _, s := range []string{"a", "b", "c"} {
		q.Put(s)
	}
	for q.Len() > 0 {
		s, _ := q.Get()
		fmt.Print(s)
	}
	fmt.Println()
	// Output: cba
}

func ExamplePriorityQueue() {
	type job struct {
		prio int
		name string
	}
	q := green.NewPriorityQueue(0, func(a, b job) bool { return a.prio < b.prio })
	q.Put(job{3, "low"})
	q.Put(job{1, "urgent"})
	q.Put(job{2, "normal"})
	for q.Len() > 0 {
		j, _ := q.Get()
		fmt.Println(j.prio, j.name)
	}
	// Output:
	// 1 urgent
	// 2 normal
	// 3 low
}

func ExampleChannel() {
	var ch green.Channel[string]
	putter := green.Spawn(func() {
		ch.Put("ping") // waits for the getter
		fmt.Println("put returned")
	})
	getter := green.Spawn(func() {
		green.Sleep(time.Millisecond)
		fmt.Println("getting")
		v, _ := ch.Get()
		fmt.Println("got", v)
	})
	green.JoinAll(putter, getter)
	// Output:
	// getting
	// got ping
	// put returned
}

func ExampleSemaphore() {
	sem := green.NewSemaphore(2) // at most two at a time
	green.Spawn(func() {
		var gs []*green.Greenlet
		for i := range 4 {
			gs = append(gs, green.Spawn(func() {
				sem.Acquire()
				defer sem.Release()
				fmt.Println("start", i)
				green.Yield() // the others run; two of them must wait
				fmt.Println("end", i)
			}))
		}
		green.JoinAll(gs...)
	}).Join()
	// Output:
	// start 0
	// start 1
	// end 0
	// end 1
	// start 2
	// start 3
	// end 2
	// end 3
}

func ExampleBoundedSemaphore() {
	sem := green.NewBoundedSemaphore(1)
	fmt.Println(sem.Acquire(), sem.Release())
	fmt.Println(sem.Release())
	// Output:
	// <nil> <nil>
	// green: semaphore released too many times
}

func ExampleLock() {
	var mu green.Lock
	total := 0
	add := func() {
		mu.Acquire()
		defer mu.Release()
		v := total
		green.Yield() // others run, but none can enter
		total = v + 1
	}
	gs := []*green.Greenlet{green.Spawn(add), green.Spawn(add), green.Spawn(add)}
	green.JoinAll(gs...)
	fmt.Println(total)
	fmt.Println(mu.Acquire(), mu.Locked()) // a plain goroutine may use it too
	fmt.Println(mu.Release(), mu.Locked())
	// Output:
	// 3
	// <nil> true
	// <nil> false
}

func ExampleRLock() {
	var mu green.RLock
	g := green.Spawn(func() error {
		mu.Acquire()
		mu.Acquire() // reentrant
		fmt.Println("depth", mu.Count())
		mu.Release()
		return mu.Release()
	})
	fmt.Println(g.Join(), mu.Locked())
	// Output:
	// depth 2
	// <nil> false
}

func ExampleLocal() {
	var user green.Local[string]
	handle := func(name string) {
		user.Set(name)
		green.Yield() // another greenlet sets its own value meanwhile
		fmt.Println("handling", user.Get())
	}
	green.JoinAll(green.Spawn(handle, "ann"), green.Spawn(handle, "bob"))
	// Output:
	// handling ann
	// handling bob
}

func ExampleIWait() {
	var a, b green.Event
	green.Spawn(func() {
		slow := green.Spawn(func() { a.Wait() })
		green.Spawn(func() { b.Set(); green.Yield(); a.Set() })
		for w := range green.IWait(green.WaitOptions{}, slow, &a, &b) {
			switch w {
			case slow:
				fmt.Println("greenlet done")
			case &a:
				fmt.Println("a set")
			case &b:
				fmt.Println("b set")
			}
		}
	}).Join()
	// Output:
	// b set
	// a set
	// greenlet done
}

func ExampleWaitWith() {
	r := new(green.AsyncResult)
	never := new(green.Event)
	green.Spawn(func() { r.Set("done") })
	ready := green.WaitWith(green.WaitOptions{Count: 1, Timeout: time.Second}, never, r)
	fmt.Println(len(ready), ready[0] == r)
	// Output: 1 true
}
