//go:build unix

// Command echoserver is gevent's echo server: a StreamServer that runs a
// greenlet per connection, all on one hub.
//
//	go run ./examples/echoserver                # a short demo with 3 clients, then exits
//	go run ./examples/echoserver -serve 1m      # serve on 127.0.0.1:16000 for a minute (or until Ctrl-C)
//	                                            # try it with: nc 127.0.0.1 16000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap"
)

// handle serves one connection in its own greenlet. WaitRead parks this
// greenlet until data arrives (the other connections are served
// meanwhile) without holding a buffer: an idle connection costs its
// greenlet and socket only. echoOnce borrows a buffer for one read and
// the write of what it read, then gives it back.
//
// handle's frame is what a parked connection's stack holds, under the
// frames of the park, so it stays small: the buffer's handling is in
// echoOnce, and the messages are printed by report (their fmt arguments,
// and the deferred call's, would take room here). The parked greenlet
// then fits the runtime's 2 KiB starting stack; the printing itself runs
// deeper (fmt's formatting, even an address's String), so a handler that
// prints, as this demo's does, has its stack doubled by its first message.
func handle(c net.Conn) {
	report(c, "connected")
	defer report(c, "gone")
	conn := c.(*netwrap.Conn)
	for conn.WaitRead() == nil && echoOnce(conn) == nil {
	}
	// EOF or error: the server closes the connection.
}

// echoOnce reads once into a borrowed buffer and writes back what it
// read.
//
//go:noinline
func echoOnce(conn *netwrap.Conn) error {
	buf := getBuf()
	n, err := conn.Read(buf)
	if err == nil {
		_, err = conn.Write(buf[:n])
	}
	putBuf(buf)
	return err
}

// report prints that the client of c has connected or is gone.
//
//go:noinline
func report(c net.Conn, what string) {
	fmt.Printf("server: %s %s\n", c.RemoteAddr(), what)
}

// free is the buffer free list. No lock: every greenlet of this server
// runs on one hub, one at a time (a server on several hubs, such as
// netwrap.ParallelServer, would keep one list per hub).
var free [][]byte

func getBuf() []byte {
	if k := len(free); k > 0 {
		b := free[k-1]
		free = free[:k-1]
		return b
	}
	return make([]byte, 16<<10)
}

func putBuf(b []byte) { free = append(free, b) }

// client connects, sends a few lines, and checks each echo.
func client(addr, name string) error {
	c, err := netwrap.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := 1; i <= 3; i++ {
		msg := fmt.Sprintf("%s says hello #%d\n", name, i)
		if _, err := c.Write([]byte(msg)); err != nil {
			return err
		}
		back, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		fmt.Printf("%s got back: %s", name, back)
		green.Sleep(10 * time.Millisecond) // let the others interleave
	}
	return nil
}

func main() {
	serve := flag.Duration("serve", 0, "instead of the demo, serve on -addr for this long (Ctrl-C stops earlier)")
	addr := flag.String("addr", "127.0.0.1:16000", "address for -serve")
	flag.Parse()

	srv := &netwrap.StreamServer{Handler: handle}
	if *serve > 0 {
		srv.Addr = *addr
	}
	if err := srv.Start(nil); err != nil { // listens and accepts in a greenlet
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Stop(time.Second)
	fmt.Println("echo server on", srv.LocalAddr())

	if *serve > 0 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		select {
		case <-ctx.Done():
		case <-time.After(*serve):
		}
		return
	}

	// The demo runs in the main greenlet: three clients in greenlets on
	// the same hub as the server.
	green.Main(func() {
		var gs []*green.Greenlet
		for _, name := range []string{"ann", "bob", "cy"} {
			gs = append(gs, green.Spawn(client, srv.LocalAddr().String(), name))
		}
		green.JoinAll(gs...)
		for _, g := range gs {
			if err := g.Err(); err != nil {
				fmt.Println("client failed:", err)
			}
		}
		srv.Stop(time.Second) // the handlers see their clients gone and return
		fmt.Println(strings.Repeat("-", 20), "demo done")
	})
}
