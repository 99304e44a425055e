//go:build unix

package netwrap_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap"
)

// client stands for a library with a dial hook, as many have.
type client struct {
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (c *client) Get(addr string) (string, error) {
	conn, err := c.Dial(context.Background(), "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	fmt.Fprintln(conn, "ping")
	return bufio.NewReader(conn).ReadString('\n')
}

// netwrap.DialContext has the signature of dial hooks: a library that
// does its I/O on the calling greenlet becomes cooperative with it.
func ExampleDialContext() {
	srv := &netwrap.StreamServer{Handler: func(c net.Conn) { io.Copy(c, c) }}
	if err := srv.Start(nil); err != nil {
		panic(err)
	}
	defer srv.Stop(time.Second)

	lib := &client{Dial: netwrap.DialContext}
	reply, err := green.Spawn(lib.Get, srv.LocalAddr().String()).Get()
	fmt.Print(reply, err, "\n")
	// Output:
	// ping
	// <nil>
}
