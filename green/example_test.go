package green_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/greenrt/green/green"
)

func ExampleSpawn() {
	g := green.Spawn(func(name string) string { return "hello, " + name }, "gopher")
	v, err := g.Get()
	fmt.Println(v, err)
	// Output: hello, gopher <nil>
}

func ExampleJoinAll() {
	var order []string
	task := func(name string, d time.Duration) {
		green.Sleep(d)
		order = append(order, name)
	}
	done := green.JoinAll(
		green.Spawn(task, "slow", 20*time.Millisecond),
		green.Spawn(task, "fast", 5*time.Millisecond),
	)
	fmt.Println(order, len(done))
	// Output: [fast slow] 2
}

func ExampleGreenlet_Kill() {
	g := green.Spawn(func() {
		defer fmt.Println("cleanup runs")
		green.Sleep(time.Hour)
	})
	green.Sleep(time.Millisecond)
	g.Kill()
	fmt.Println(g.Dead(), g.Successful(), g.Killed())
	// Output:
	// cleanup runs
	// true true true
}

func ExampleWithTimeout() {
	g := green.Spawn(func() error {
		return green.WithTimeout(10*time.Millisecond, func() {
			green.Sleep(time.Hour) // interrupted here
		})
	})
	err := g.Join()
	fmt.Println(errors.Is(err, green.ErrTimeout))
	// Output: true
}
