//go:build unix

// Command portscan checks a range of TCP ports on 127.0.0.1 with a
// bounded pool of greenlets: each probe is a cooperative dial, and at most
// 50 are in flight at once.
//
//	go run ./examples/portscan            # scans around ports it opens itself
//	go run ./examples/portscan 8000 8100  # scans 127.0.0.1:8000-8100
package main

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/pool"
)

// probe reports whether something accepts connections on port. The dial
// parks the greenlet until the connect succeeds, is refused or times out.
func probe(port int) (bool, error) {
	c, err := netwrap.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 500*time.Millisecond)
	if err != nil {
		return false, nil // refused or filtered: closed for our purpose
	}
	defer c.Close()
	// A connect from an ephemeral port to the same port number connects
	// the socket to itself (TCP simultaneous open): nobody listens there.
	self := c.LocalAddr().(*net.TCPAddr).Port == port
	return !self, nil
}

func main() {
	ports, listeners, err := portList(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: portscan [FIRST LAST]:", err)
		os.Exit(2)
	}
	defer func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}()

	// The scan runs in the main greenlet (gevent's module code), which
	// parks in Map while the pool's greenlets probe.
	green.Main(func() {
		p, _ := pool.NewPool(50) // at most 50 probes at a time
		start := time.Now()
		open, err := pool.Map(p, ports, probe)
		if err != nil {
			fmt.Println("scan failed:", err)
			return
		}
		var found []int
		for i, ok := range open {
			if ok {
				found = append(found, ports[i])
			}
		}
		fmt.Printf("scanned %d ports in %v, open: %v\n", len(ports), time.Since(start).Round(time.Millisecond), found)
	})
}

// portList returns the ports from FIRST to LAST or, without arguments,
// opens three listeners (returned, to be closed by the caller) and returns
// 100 ports around the first one plus the ports of the other two, so that
// the demo has something to find.
func portList(args []string) ([]int, []net.Listener, error) {
	var ports []int
	if len(args) == 2 {
		a, err1 := strconv.Atoi(args[0])
		b, err2 := strconv.Atoi(args[1])
		if err1 != nil || err2 != nil || a < 1 || b > 65535 || a > b || b-a > 10000 {
			return nil, nil, fmt.Errorf("want two ports, FIRST <= LAST, at most 10000 apart")
		}
		for p := a; p <= b; p++ {
			ports = append(ports, p)
		}
		return ports, nil, nil
	}
	if len(args) != 0 {
		return nil, nil, fmt.Errorf("want no arguments or two")
	}
	var lns []net.Listener
	var open []int
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, lns, err
		}
		lns = append(lns, ln)
		open = append(open, ln.Addr().(*net.TCPAddr).Port)
	}
	fmt.Println("listening on", open)
	for p := max(1, open[0]-50); p <= min(65535, open[0]+49); p++ {
		ports = append(ports, p)
	}
	for _, p := range open[1:] {
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	slices.Sort(ports)
	return ports, lns, nil
}
