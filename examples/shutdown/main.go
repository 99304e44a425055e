//go:build unix

// Command shutdown is a graceful shutdown of a StreamServer on SIGINT:
// the signal handler runs as a greenlet on the server's hub, stops
// accepting, lets the requests in flight finish within a grace period,
// closes what is still idle after it, and the program exits.
//
//	go run ./examples/shutdown              # a demo that sends itself SIGINT after 100 ms
//	go run ./examples/shutdown -serve       # serve on 127.0.0.1:16001 until Ctrl-C
//	                                        # try it with: nc 127.0.0.1 16001
//
// The pieces that matter: greensignal.Handle runs the handler in a
// greenlet (not in a goroutine that would have to hand work to the hub),
// the handler calls StreamServer.Stop (never a connection handler: Stop
// waits for them), and main waits on a green.Event, which a plain
// goroutine may do.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greensignal"
)

// work is how long a request takes to serve.
const work = 300 * time.Millisecond

// handle serves requests, one line each, taking `work` to answer each.
func handle(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return // client gone, or the server's grace period is over
		}
		green.Sleep(work) // the work: parks, the hub serves the others
		fmt.Fprintf(c, "done: %s", strings.ToUpper(line))
	}
}

// request sends one line and waits for its answer.
func request(addr, msg string) (string, error) {
	c, err := netwrap.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	fmt.Fprintln(c, msg)
	return bufio.NewReader(c).ReadString('\n')
}

func main() {
	serve := flag.Bool("serve", false, "serve on -addr until SIGINT (Ctrl-C) instead of running the demo")
	addr := flag.String("addr", "127.0.0.1:16001", "address for -serve")
	grace := flag.Duration("grace", time.Second, "how long requests in flight may take to finish")
	flag.Parse()

	srv := &netwrap.StreamServer{Handler: handle}
	if *serve {
		srv.Addr = *addr
	}
	if err := srv.Start(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("server on", srv.LocalAddr())

	var stopped green.Event
	start := time.Now()
	h, err := greensignal.Handle(func(sig os.Signal) {
		// A greenlet of the server's hub: it may park in Stop.
		fmt.Printf("%4d ms  got %v: stop accepting, %v for requests in flight\n", ms(start), sig, *grace)
		srv.Stop(*grace)
		fmt.Printf("%4d ms  server stopped\n", ms(start))
		stopped.Set()
	}, os.Interrupt, syscall.SIGTERM)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer h.Stop()

	if *serve {
		fmt.Println("Ctrl-C to stop")
		stopped.Wait()
		return
	}

	// The demo, in the main greenlet: three requests in flight and one
	// idle connection when SIGINT arrives.
	green.Main(func() {
		target := srv.LocalAddr().String()
		var clients []*green.Greenlet
		for _, who := range []string{"ann", "bob", "cy"} {
			clients = append(clients, green.Spawn(func() {
				reply, err := request(target, "hello from "+who)
				if err != nil {
					fmt.Printf("%4d ms  %s's request lost: %v\n", ms(start), who, err)
					return
				}
				fmt.Printf("%4d ms  %s got %s", ms(start), who, reply)
			}))
		}
		clients = append(clients, green.Spawn(func() {
			c, err := netwrap.Dial("tcp", target)
			if err != nil {
				return
			}
			defer c.Close()
			bufio.NewReader(c).ReadString('\n') // never asks anything
			fmt.Printf("%4d ms  the idle connection was closed by the server\n", ms(start))
		}))
		green.Spawn(func() {
			green.Sleep(100 * time.Millisecond)
			syscall.Kill(os.Getpid(), syscall.SIGINT) // as Ctrl-C would
		})

		stopped.Wait() // parks until the signal handler has stopped the server
		green.JoinAll(clients...)
		if _, err := request(target, "too late"); err != nil {
			fmt.Printf("%4d ms  a new connection is refused\n", ms(start))
		}
	})
}

func ms(since time.Time) int64 { return time.Since(since).Milliseconds() }
