//go:build unix

// Command chat is a chat server: every line a client sends is broadcast to
// the other clients. Each connection has a reader greenlet (the handler)
// and a writer greenlet fed by its own queue, so a slow client never
// blocks the others. The set of clients is a plain map: all greenlets run
// on one hub, one at a time, so it needs no lock.
//
//	go run ./examples/chat             # a short demo with 3 clients, then exits
//	go run ./examples/chat -serve 5m   # serve on 127.0.0.1:16001 (nc 127.0.0.1 16001)
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

// client is one connected user.
type client struct {
	name   string
	outbox *green.Queue[string] // lines waiting to be written to this client
}

// clients is the chat room, touched only by greenlets of the default hub.
var clients = map[*client]struct{}{}

// broadcast queues line for every client but from. Put on an unbounded
// queue never waits, so the sender goes on at once.
func broadcast(from *client, line string) {
	for c := range clients {
		if c != from {
			c.outbox.Put(line)
		}
	}
}

// handle serves one connection: the first line is the user's name, every
// next line is a message for the room.
func handle(conn net.Conn) {
	r := bufio.NewReader(conn)
	conn.Write([]byte("name? "))
	name, err := r.ReadString('\n')
	if err != nil {
		return
	}
	me := &client{name: strings.TrimSpace(name), outbox: green.NewQueue[string](0)}

	// The writer greenlet sends this client's queued lines until the
	// queue is shut down.
	writer := green.Spawn(func() {
		for line := range me.outbox.All() {
			if _, err := conn.Write([]byte(line)); err != nil {
				return
			}
		}
	})
	defer writer.Join()
	defer me.outbox.Shutdown() // lets the writer finish what is queued, then stop

	clients[me] = struct{}{}
	defer delete(clients, me)
	broadcast(me, fmt.Sprintf("* %s joined\n", me.name))
	me.outbox.Put(fmt.Sprintf("welcome, %s (%d here)\n", me.name, len(clients)))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			broadcast(me, fmt.Sprintf("* %s left\n", me.name))
			return
		}
		broadcast(me, fmt.Sprintf("%s: %s", me.name, line))
	}
}

// user is a scripted demo client: it joins, waits until everyone is there,
// says its lines, and prints what it receives until it has seen every
// other user's messages.
func user(addr, name string, lines []string, others int, ready *green.Event, joined *int) error {
	c, err := netwrap.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	r.ReadString(' ') // "name? "
	fmt.Fprintf(c, "%s\n", name)
	if _, err := r.ReadString('\n'); err != nil { // welcome: we are in the room
		return err
	}
	if *joined++; *joined == others+1 {
		ready.Set() // the last one in starts the conversation
	}
	ready.Wait()
	for _, l := range lines {
		fmt.Fprintf(c, "%s\n", l)
		green.Sleep(20 * time.Millisecond)
	}
	for want := others * len(lines); want > 0; {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		fmt.Printf("  [%s's screen] %s", name, line)
		if !strings.HasPrefix(line, "*") {
			want--
		}
	}
	return nil
}

func main() {
	serve := flag.Duration("serve", 0, "instead of the demo, serve on -addr for this long (Ctrl-C stops earlier)")
	addr := flag.String("addr", "127.0.0.1:16001", "address for -serve")
	flag.Parse()

	srv := &netwrap.StreamServer{Handler: handle}
	if *serve > 0 {
		srv.Addr = *addr
	}
	if err := srv.Start(nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Stop(time.Second)
	fmt.Println("chat server on", srv.LocalAddr())

	if *serve > 0 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		select {
		case <-ctx.Done():
		case <-time.After(*serve):
		}
		return
	}

	// The demo runs in the main greenlet, on the server's hub.
	green.Main(func() {
		script := map[string][]string{
			"ann": {"hi all", "anyone for lunch?"},
			"bob": {"hello ann", "sure, at noon"},
			"cy":  {"hey", "count me in"},
		}
		var ready green.Event
		joined := 0 // shared by the user greenlets, no lock needed
		var gs []*green.Greenlet
		for _, name := range []string{"ann", "bob", "cy"} {
			gs = append(gs, green.Spawn(user, srv.LocalAddr().String(), name, script[name], len(script)-1, &ready, &joined))
		}
		green.JoinAll(gs...)
		for _, g := range gs {
			if err := g.Err(); err != nil {
				fmt.Println("user failed:", err)
			}
		}
		fmt.Println("demo done")
	})
}
