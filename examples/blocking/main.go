//go:build unix

// Command blocking shows what happens when a greenlet blocks its hub, and
// how to see it: the blocking monitor (gevent's monitor thread, on for
// every hub) reports the greenlet that holds the hub, with its stack, and
// run-info (gevent's print_run_info) lists what every greenlet waits for.
//
//	go run ./examples/blocking
//
// A handler-like greenlet calls time.Sleep, which Go cannot make
// cooperative: for 300 ms no other greenlet of the hub runs. The report
// names it, says where it was spawned and shows the time.Sleep frame;
// then run-info lists the greenlets parked on a queue, an event, a socket
// read and a sleep.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
)

func main() {
	// The monitor sends its reports to the hub's error handler (log/slog
	// by default): print them whole instead.
	reported := make(chan struct{}, 1)
	hub.Default().SetErrorHandler(func(err error) {
		var be *hub.BlockingError
		if errors.As(err, &be) {
			fmt.Println(err)
			if be.Ended {
				select {
				case reported <- struct{}{}:
				default:
				}
			}
			return
		}
		fmt.Fprintln(os.Stderr, "error:", err)
	})

	green.Spawn(func() {
		green.Spawn(handle).SetName("handler")
	}).Join()
	<-reported

	// Greenlets waiting on all sorts of things, and what run-info says.
	q := green.NewQueue[string](0)
	var ready green.Event
	ln, err := netwrap.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	var gs []*green.Greenlet
	green.Spawn(func() {
		gs = append(gs,
			green.Spawn(func() { q.Get() }).SetName("consumer"),
			green.Spawn(func() { ready.Wait() }).SetName("waiter"),
			green.Spawn(func() { green.Sleep(time.Minute) }).SetName("sleeper"),
			green.Spawn(func() {
				c, err := ln.Accept()
				if err == nil {
					c.Read(make([]byte, 1))
					c.Close()
				}
			}).SetName("server"),
		)
	}).Join()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	time.Sleep(50 * time.Millisecond)
	fmt.Print(green.FormatRunInfo())
	green.KillAll(gs...)
}

// handle is a request handler that calls a blocking API.
func handle() {
	time.Sleep(300 * time.Millisecond) // blocks the whole hub: use green.Sleep
}
