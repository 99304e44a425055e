package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"
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
	backlog := fs.Int("backlog", 1024, "listen backlog")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the serving to this file")
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
	h, err := hub.New(hub.Config{})
	if err != nil {
		return err
	}
	if err := h.Start(); err != nil {
		return err
	}
	defer h.Stop()
	srv := &netwrap.StreamServer{
		Hub:     h,
		Network: "tcp",
		Addr:    *addr,
		Backlog: *backlog,
		Handler: func(c net.Conn) {
			buf := make([]byte, *bufSize)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
		},
	}
	if err := srv.Start(nil); err != nil {
		return err
	}
	fmt.Fprintf(out, "echo: serving on %s (Ctrl-C to stop)\n", srv.LocalAddr())
	<-ctx.Done()
	if err := srv.Stop(time.Second); err != nil {
		return err
	}
	fmt.Fprintln(out, "echo: stopped")
	return nil
}
