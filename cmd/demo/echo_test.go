//go:build unix

package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
)

func TestEchoSubcommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runEcho(ctx, []string{"-addr", "127.0.0.1:0", "-buf", "4096"}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	first := lines.Text()
	addr := first[strings.LastIndex(first, "on ")+3 : strings.Index(first, " (")]
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	b := make([]byte, 4)
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
		t.Fatal(err, b)
	}
	cancel() // what Ctrl-C does
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The server closed the connection as it stopped.
	if _, err := c.Read(b); err != io.EOF {
		t.Fatalf("read after stop: %v", err)
	}
}
