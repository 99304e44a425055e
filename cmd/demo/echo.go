//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
)

func init() {
	register(command{
		name:    "echo",
		summary: "a cooperative TCP echo server on one hub, a greenlet per connection, until Ctrl-C",
		run:     runEcho,
	})
}

func runEcho(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("echo", "Serves TCP echo with netwrap.StreamServer on one hub until interrupted.", out)
	addr := fs.String("addr", "127.0.0.1:25000", "listen address")
	bufSize := fs.Int("buf", 100<<10, "read buffer per connection, in bytes")
	backlog := fs.Int("backlog", 0, "listen backlog (0: the system maximum, somaxconn, as package net)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the serving to this file")
	hubs := fs.Int("hubs", 1, "number of hubs (event loops, one per core); 0: GOMAXPROCS; more than 1 serves with netwrap.ParallelServer (SO_REUSEPORT)")
	pooled := fs.Bool("pool", true, "hold no buffer while a connection is idle: WaitRead, then borrow a buffer from the hub's free list for the read and the write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bufSize <= 0 {
		return fmt.Errorf("-buf must be positive")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	handler := echoHandler(*bufSize, *pooled)
	var stop func(time.Duration) error
	if *hubs != 1 {
		srv := &netwrap.ParallelServer{Hubs: *hubs, Addr: *addr, Backlog: *backlog, Handler: handler}
		if err := srv.Start(); err != nil {
			return err
		}
		fmt.Fprintf(out, "echo: serving on %s with %d hubs (Ctrl-C to stop)\n", srv.LocalAddr(), srv.NumHubs())
		stop = srv.Stop
	} else {
		h, err := hub.New(hub.Config{})
		if err != nil {
			return err
		}
		if err := h.Start(); err != nil {
			return err
		}
		defer h.Stop()
		srv := &netwrap.StreamServer{Hub: h, Network: "tcp", Addr: *addr, Backlog: *backlog, Handler: handler}
		if err := srv.Start(nil); err != nil {
			return err
		}
		fmt.Fprintf(out, "echo: serving on %s (Ctrl-C to stop)\n", srv.LocalAddr())
		stop = srv.Stop
	}
	<-ctx.Done()
	if err := stop(time.Second); err != nil {
		return err
	}
	fmt.Fprintln(out, "echo: stopped")
	return nil
}

// echoHandler echoes a connection. pooled: the connection holds no buffer
// while it is idle (WaitRead parks on the hub's readiness state, no
// system call), and borrows one from its hub's free list only for a read
// and the write of what it read. The free list needs no lock: one hub's
// greenlets never run at once, and with several hubs each has its own
// (found through the goroutine-free hub.Current).
func echoHandler(size int, pooled bool) func(net.Conn) {
	if !pooled {
		return func(c net.Conn) {
			buf := make([]byte, size)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
		}
	}
	var mu sync.Mutex // guards lists (written once per hub)
	lists := map[*hub.Hub]*[][]byte{}
	listOf := func() *[][]byte {
		_, h := hub.Current()
		mu.Lock()
		defer mu.Unlock()
		l := lists[h]
		if l == nil {
			l = new([][]byte)
			lists[h] = l
		}
		return l
	}
	return func(nc net.Conn) {
		c := nc.(*netwrap.Conn)
		free := listOf() // this hub's: no lock from here on
		// The loop's frame is what a parked connection's stack holds:
		// the buffer's handling is in echoOnce, so that it stays small
		// and the greenlet fits the runtime's 2 KiB starting stack.
		for c.WaitRead() == nil && echoOnce(c, free, size) == nil {
		}
	}
}

// echoOnce reads once into a buffer from the free list and writes back
// what it read.
//
//go:noinline
func echoOnce(c *netwrap.Conn, free *[][]byte, size int) error {
	var buf []byte
	if k := len(*free); k > 0 {
		buf, *free = (*free)[k-1], (*free)[:k-1]
	} else {
		buf = make([]byte, size)
	}
	n, err := c.Read(buf)
	if err == nil {
		_, err = c.Write(buf[:n])
	}
	*free = append(*free, buf)
	return err
}
