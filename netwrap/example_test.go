//go:build unix

package netwrap_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap"
)

// An echo server and a client, each connection served by its own greenlet
// on one hub.
func Example() {
	srv := &netwrap.StreamServer{Handler: func(c net.Conn) { io.Copy(c, c) }}
	if err := srv.Start(nil); err != nil { // listens on 127.0.0.1, a free port
		panic(err)
	}
	defer srv.Stop(time.Second)

	client := green.Spawn(func() (string, error) {
		c, err := netwrap.Dial("tcp", srv.LocalAddr().String()) // parks, does not block the hub
		if err != nil {
			return "", err
		}
		defer c.Close()
		fmt.Fprintf(c, "hello, greenlets\n")
		return bufio.NewReader(c).ReadString('\n')
	})
	line, err := client.Get()
	fmt.Print(line, err)
	// Output: hello, greenlets
	// <nil>
}
